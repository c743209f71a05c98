"""A test-only app adding one content kind (a producers' market) in one module: the proof
that a kind needs its module, its template and its app's registration, nothing else
(issue 23). Installed by the test settings (cms/settings/test.py) and by the peers of
the two-instance test (tests/kinds_app/settings_peer.py)."""
