"""`sheets-sync run` refuses an append/upsert report whose rows cannot be told apart before fetching or writing."""

from __future__ import annotations

from pathlib import Path

from sheets_sync.cli import main
from tests.cli.test_cli_honest import write_config

WRONG_KEY = """\
  - name: Creators
    endpoint: creators/performance
    metrics: [impressions]
    destination: flat
    mode: upsert
    key: [creatorId]
"""


def test_run_refuses_an_upsert_key_that_names_no_column_before_the_first_run(tmp_path: Path, api_env,
                                                                              capsys) -> None:
    """The first run with a wrong key is refused as a config problem (file, line, key path); nothing is written."""
    path = write_config(tmp_path, WRONG_KEY)
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:18:11: reports[0].key[0]: key \"creatorId\" is not one of this report's columns" in err
    assert "creator.creatorId" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / ".sheets-sync" / "history.sqlite").exists()


def test_run_refuses_a_time_series_that_drops_its_bucket_column(tmp_path: Path, api_env, capsys) -> None:
    """An appending time series whose columns leave out startDate is refused by run too, naming the columns key."""
    path = write_config(tmp_path, "  - name: Daily\n    endpoint: instances/performance-over-time\n"
                                  "    metrics: [impressions]\n    granularity: day\n    destination: flat\n"
                                  "    columns: [{field: metrics.impressions}]\n    mode: append\n")
    assert main(["run", str(path)]) == 2
    assert f"{path}:18:5: reports[0].columns: mode append on a time series" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
