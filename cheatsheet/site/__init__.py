"""The site layer: the page context and macro registry (:mod:`.context`), one module per topic
(images, ladder, network, bench, arch, arm64_builds, chooser, hardening, reference), the data as the site reads
it (:mod:`.measurements`), rendering helpers, charts and the downloads hook. It imports the data and
recipes layers, never the measure layer.

Every topic module is imported here, so the registry of macros is complete whatever part of the
layer is imported first (``Site.call`` finds every macro, with or without MkDocs)."""

from . import (  # noqa: F401 -- each registers its macros
    arch,
    arm64_builds,
    bench,
    caching,
    chooser,
    hardening,
    images,
    ladder,
    network,
    reference,
)
