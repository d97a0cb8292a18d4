"""The measure layer: toolchains, base images, cargo and Docker builds, the checks, the benchmark.

It imports the recipes and the data layer; nothing of the site imports it.
"""
