"""The allocator benchmark: the webserver's images side by side, on a quiet, partitioned machine.

:mod:`.load` runs the interleaved load and start-up rounds (server and load generator on separate
CPUs), :mod:`.host` says how quiet the machine was, :mod:`.instructions` counts instructions per
request under callgrind (a figure the load cannot change), :mod:`.summary` turns rounds into medians,
spreads and ratios, and :mod:`.run` does one run from images to the rows of bench.csv.
"""
