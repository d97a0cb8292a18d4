"""The site layer: the page context and macro registry (:mod:`.context`), one module per topic
(images, ladder, network, bench, arch), the data as the site reads it (:mod:`.measurements`),
rendering helpers, charts and the downloads hook. It imports the data and recipes layers, never
the measure layer."""
