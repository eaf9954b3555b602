# tests/: placeholder until the daemon helpers land.
VS_HELPER_TESTS =
