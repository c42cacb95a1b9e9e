"""`attestly users`: the last resort when an owner has lost both phone and recovery codes."""

from __future__ import annotations

import typer

from attestly.cli.bootstrap import console, fail, setup_django

app = typer.Typer(help="Local accounts: reset MFA, lift a sign-in lock.", no_args_is_help=True)


@app.command("reset-mfa")
def reset_mfa(username: str = typer.Argument(..., help="User name")) -> None:
    """Remove a user's authenticator and recovery codes (audited). They enrol again."""
    setup_django()
    from attestly.accounts.actions import do_disable_mfa
    from attestly.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise fail(f"no user {username!r}")
    do_disable_mfa(actor=None, user=user)
    console.print(f"[green]ok[/]: multi-factor sign-in removed for {username}; they enrol again")


@app.command("unlock")
def unlock(username: str = typer.Argument(..., help="User name")) -> None:
    """Forget a user's recent failed sign-ins, lifting a throttling lock (audited)."""
    setup_django()
    from attestly.accounts.actions import do_unlock_sign_in

    do_unlock_sign_in(actor=None, username=username)
    console.print(f"[green]ok[/]: sign-in unlocked for {username}")
