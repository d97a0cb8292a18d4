"""Base images for the measurements: pulled by digest, or bootstrapped from Debian packages.

The package: :mod:`.images` (``ensure_base``: find, pull or bootstrap, and load into Docker),
:mod:`.bootstrap` (the base class of a bootstrap recipe), one module per family of recipes
(:mod:`.debian`, :mod:`.distroless`), :mod:`.registry` (recipe name -> class), :mod:`.common`
(what they share). The names a recipe may give are
:data:`cheatsheet.recipes.model.BOOTSTRAP_NAMES`; :mod:`.registry` checks that it implements each.

``cheatsheet.measure.bases.images.ensure_base(spec, cache_dir)`` returns a :class:`BaseImage` whose ``ref``
a Dockerfile's ``FROM``
can use on this machine:

* ``scratch`` needs nothing.
* If the digest-pinned pull reference is already present locally, it is used.
* Otherwise, if pulling is allowed, ``docker pull`` is tried.
* Otherwise (or if the pull fails) the base is bootstrapped from Debian 12 (bookworm, amd64)
  packages and loaded (``docker load`` of a one-layer image archive) under a local tag
  ``cheatsheet-base/<name>:<key>``; with no bootstrap recipe :class:`BaseUnavailable` is raised.

Bootstrap recipes (they need root, ``mmdebstrap`` for the two Debian ones, ``apt-get`` and
``dpkg-deb``):

``debian-minbase``
    ``mmdebstrap --mode=root --variant=minbase`` with the merged-/usr hook, plus the apt/dpkg
    settings that debuerreotype (the tool behind the official ``debian`` images) adds for
    containers; config ``CMD ["bash"]`` like the official image.
``debian-slim``
    The same plus debuerreotype's "slimify" path-exclude/path-include rules (no man pages, no docs
    except copyright files, no locales), given to dpkg so they also hold for later installs.
``distroless-static`` / ``distroless-cc``
    Assembled like GoogleContainerTools/distroless' Debian 12 images: the packages'
    data extracted with ``dpkg-deb -x`` (no maintainer scripts, no dpkg database, no merged /usr,
    as in distroless' debian12 images), the CA bundle built from ``ca-certificates``' certificate
    files, ``/etc/passwd`` and ``/etc/group`` with root, nobody and nonroot (65532), ``/tmp`` 1777,
    ``/etc/nsswitch.conf``, an os-release, and per-package metadata in ``/var/lib/dpkg/status.d``.
    Config: ``USER 0``, ``WORKDIR /``, ``ENV PATH`` and ``SSL_CERT_FILE`` (distroless' root tag).

Package sources are read at run time from this machine's apt configuration
(``/etc/apt/sources.list`` and ``/etc/apt/sources.list.d``); no mirror or registry host name is
written to any file, and the apt sources copy that mmdebstrap leaves in the root filesystem is
removed, so the Debian images have no apt sources (``apt-get update`` inside them needs sources
supplied by the build that uses them).

The cache key of a bootstrapped image (the tag's suffix, recorded in full in a label) covers:
the recipe (kind, suite, architecture, variant, hooks, dpkg options, package list, files added,
image config, ``RECIPE_VERSION``), a hash of the machine's apt sources configuration, and the
archive date used as ``SOURCE_DATE_EPOCH`` -- ``$SOURCE_DATE_EPOCH`` if set, else the newest
``Date:`` of the machine's own downloaded ``InRelease`` files for the suite (i.e. it changes when
``apt-get update`` sees a newer archive). It does NOT cover the exact package versions the mirror
serves at bootstrap time (too costly to query on every call); those are recorded after the build
in the label ``cheatsheet.base.packages-sha256`` and in ``<cache_dir>/<name>-<key>.packages.txt``.
Two bootstraps with the same epoch and the same mirror content give identical root filesystem
tarballs and, since the image config's ``created`` is the archive date, identical image IDs.
"""
