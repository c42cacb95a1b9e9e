from __future__ import annotations

from pathlib import Path

import pytest

from attestly.conf.options import OptionsError, load_options, option_docs, resolve_secret_key

GOOD_KEY = "k" * 48


def test_defaults_put_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    options = load_options({"ATTESTLY_DATA_DIR": str(tmp_path)})
    assert options.database_url is None
    assert options.sqlite_path == tmp_path / "attestly.sqlite3"


def test_environment_overrides_toml_file(tmp_path: Path) -> None:
    (tmp_path / "attestly.toml").write_text("[attestly]\nport = 9000\nhost = '0.0.0.0'\n")
    options = load_options({"ATTESTLY_DATA_DIR": str(tmp_path), "ATTESTLY_PORT": "9100"})
    assert (options.port, options.host) == (9100, "0.0.0.0")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ATTESTLY_PORT", "eighty"),
        ("ATTESTLY_PORT", "70000"),
        ("ATTESTLY_DATABASE_URL", "mysql://x@y/z"),
        ("ATTESTLY_TIME_ZONE", "Mars/Olympus"),
        ("ATTESTLY_LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_value_names_the_option(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(OptionsError, match=name):
        load_options({"ATTESTLY_DATA_DIR": str(tmp_path), name: value})


def test_unknown_key_in_config_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "attestly.toml").write_text("[attestly]\nprot = 9000\n")
    with pytest.raises(OptionsError, match="prot"):
        load_options({"ATTESTLY_DATA_DIR": str(tmp_path)})


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "attestly.toml").write_text("[attestly\n")
    with pytest.raises(OptionsError, match=r"attestly\.toml"):
        load_options({"ATTESTLY_DATA_DIR": str(tmp_path)})


def test_secret_read_from_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "key"
    secret_file.write_text(GOOD_KEY + "\n")
    options = load_options(
        {"ATTESTLY_DATA_DIR": str(tmp_path), "ATTESTLY_SECRET_KEY_FILE": str(secret_file)}
    )
    assert resolve_secret_key(options) == GOOD_KEY


def test_missing_secret_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="ATTESTLY_SECRET_KEY_FILE"):
        load_options(
            {
                "ATTESTLY_DATA_DIR": str(tmp_path),
                "ATTESTLY_SECRET_KEY_FILE": str(tmp_path / "absent"),
            }
        )


@pytest.mark.parametrize("placeholder", ["changeme", "secret", "django-insecure-abc", "short"])
def test_placeholder_secret_refused_outside_demo(tmp_path: Path, placeholder: str) -> None:
    options = load_options({"ATTESTLY_DATA_DIR": str(tmp_path), "ATTESTLY_SECRET_KEY": placeholder})
    with pytest.raises(OptionsError, match="ATTESTLY_SECRET_KEY"):
        resolve_secret_key(options)


def test_placeholder_secret_allowed_in_demo(tmp_path: Path) -> None:
    options = load_options(
        {
            "ATTESTLY_DATA_DIR": str(tmp_path),
            "ATTESTLY_SECRET_KEY": "changeme",
            "ATTESTLY_DEMO": "true",
        }
    )
    assert resolve_secret_key(options) == "changeme"


def test_no_secret_outside_demo_says_what_to_run(tmp_path: Path) -> None:
    options = load_options({"ATTESTLY_DATA_DIR": str(tmp_path)})
    with pytest.raises(OptionsError, match="attestly init"):
        resolve_secret_key(options)


def test_every_option_is_documented() -> None:
    rows = option_docs()
    assert rows
    assert all(doc for _name, _type, _default, doc in rows)
