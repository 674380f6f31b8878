"""The embedded gunicorn's application loader."""

from __future__ import annotations

import gc

from elearn.server import YOUNG_GENERATION_THRESHOLD, _ElearnServer


def test_a_worker_freezes_what_it_loaded_at_start_so_full_collections_skip_it(app_config):
    gc.unfreeze()
    thresholds = gc.get_threshold()
    server = _ElearnServer({"bind": ["127.0.0.1:0"], "workers": 1}, app_config)
    try:
        app = server.load()
        frozen = gc.get_freeze_count()
        # The app, its URL map and mappers, and the content tree, read at start, are all among the frozen.
        assert frozen > 10_000
        assert all(thing is not app for thing in gc.get_objects())  # what collections walk
        # And the youngest generation is collected less often; the older ones keep their settings.
        assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
