from analysis.core import paths


def test_paths_are_rooted_at_the_project():
    assert (paths.ROOT / "pyproject.toml").exists()
    assert paths.PUBLISHED_FIGURES.exists()
