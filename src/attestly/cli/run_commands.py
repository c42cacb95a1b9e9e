"""`attestly serve` and `attestly demo`."""

from __future__ import annotations

import os
import signal
import socket

import typer

from attestly.cli.bootstrap import console, data_dir_from_env, ensure_data_dir, fail, setup_django

HOST_OPT = typer.Option(None, "--host", help="Listen address (default: ATTESTLY_HOST).")
PORT_OPT = typer.Option(None, "--port", help="Port (default: ATTESTLY_PORT).")
WORKERS_OPT = typer.Option(
    None,
    "--workers",
    min=0,
    max=64,
    help="Serving processes (default: ATTESTLY_WORKERS; 0: one per core on Linux, max 4).",
)


def _refuse_pending_migrations() -> None:
    from django.conf import settings
    from django.db import connection

    options = settings.OPTIONS
    if connection.vendor == "sqlite" and not options.data_dir.is_dir():
        raise fail(f"no data directory at {options.data_dir}; run `attestly init` first")

    from attestly.core.migrating import pending_migrations

    try:
        pending = pending_migrations()
    except Exception as exc:
        raise fail(f"database: cannot read migration state ({exc})") from None
    if pending:
        names = ", ".join(str(p) for p in pending[:3]) + (" …" if len(pending) > 3 else "")
        raise fail(
            f"the database ({connection.vendor}) has {len(pending)} unapplied migrations "
            f"({names}). Run `attestly migrate` first; it applies all of them or none."
        )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve(host: str, port: int, threads: int, workers: int = 1) -> None:
    from attestly.cli.serving import Arbiter, bind, spreads_connections, worker_count, worker_socket

    count = worker_count(workers)
    # Several workers each listen on a socket of their own where the kernel spreads
    # connections over them (cli.serving); the parent's socket only holds the address.
    own_sockets = count > 1 and spreads_connections()
    try:
        sock = bind(host, port, shared_port=own_sockets)
    except OSError as exc:
        raise fail(
            f"cannot listen on {host}:{port} ({exc.strerror}); "
            "is another server running there? Pass --port to choose another"
        ) from None
    _settle()
    if count == 1:
        _serve_on(sock, threads, scheduler=True)
        return
    from django.db import connections

    # Forked workers must not share the parent's database connections.
    connections.close_all()
    console.print(f"{count} serving processes, {threads} request threads each")

    def serve_one(index: int) -> None:
        if own_sockets:
            listening = worker_socket(sock)
            sock.close()  # this process's copy; the parent keeps the address
        else:
            listening = sock
        _serve_on(listening, threads, scheduler=index == 0)

    Arbiter(count, serve_one).run()
    console.print("Stopped.")


def _settle() -> None:
    """Import every view now, then move everything start-up made out of the garbage
    collector's reach: a full collection over Django's and the catalogue's ~150,000 start-up
    objects takes ~100 ms, landing on whichever request triggers it. Frozen objects are also
    never written to by the collector, so forked workers keep sharing their pages."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # imports every view module
    gc.collect()
    gc.freeze()


def _serve_on(sock: socket.socket, threads: int, scheduler: bool) -> None:
    """waitress on the bound socket; with `scheduler`, also the in-process scheduler, which
    runs due collections (only serve and demo start it, and only in one process)."""
    from waitress import serve as waitress_serve

    from attestly.conf.wsgi import application
    from attestly.integrations.scheduler import Scheduler

    # SIGTERM (what service managers send) stops like Ctrl+C: running collections finish first.
    signal.signal(signal.SIGTERM, _interrupt)
    running = None
    if scheduler:
        from attestly.readiness.actions import do_record_all_readiness

        # Hourly, so the day's readiness snapshot follows the collections that change it.
        running = Scheduler(periodic=[(3600.0, do_record_all_readiness)]).start()
    try:
        waitress_serve(
            application,
            sockets=[sock],
            threads=threads,
            ident="attestly",
            clear_untrusted_proxy_headers=True,
            max_request_body_size=200 * 1024 * 1024,
        )
    except KeyboardInterrupt:
        pass  # waitress returns on most interrupts itself; either way, stop below
    finally:
        if running is not None:
            console.print("Stopping: waiting for running collections to finish.")
            running.stop()
            console.print("Stopped.")


def serve(
    host: str | None = HOST_OPT, port: int | None = PORT_OPT, workers: int | None = WORKERS_OPT
) -> None:
    """Serve the web app and API with a production WSGI server (waitress)."""
    setup_django()
    from django.conf import settings

    _refuse_pending_migrations()
    options = settings.OPTIONS
    bind_host, bind_port = host or options.host, port or options.port
    console.print(f"Attestly serving on [bold]http://{bind_host}:{bind_port}/[/]")
    _serve(bind_host, bind_port, options.threads, options.workers if workers is None else workers)


def demo(
    host: str | None = HOST_OPT,
    port: int | None = PORT_OPT,
    no_serve: bool = typer.Option(False, "--no-serve", help="Set up and print, then exit."),
    workers: int | None = WORKERS_OPT,
) -> None:
    """Set up a demo workspace (SOC 2: security, availability, confidentiality) and serve it."""
    os.environ["ATTESTLY_DEMO"] = "true"
    ensure_data_dir(data_dir_from_env())
    setup_django()
    from django.conf import settings

    from attestly.cli.setup_commands import migrate_and_sync
    from attestly.core.demo import do_seed_demo

    for note in migrate_and_sync():
        console.print(f"• {note}")
    login = do_seed_demo()
    options = settings.OPTIONS
    bind_host, bind_port = host or options.host, port or options.port
    url = f"http://{bind_host}:{bind_port}/"
    console.print()
    console.print(f"[bold]Attestly demo[/]  workspace: {login.workspace.name}")
    console.print(f"  URL:       {url}")
    console.print(f"  login:     {login.username}")
    console.print(f"  password:  {login.password}")
    console.print(f"  API token: {login.token}")
    console.print(
        f"  try:       curl -H 'Authorization: Token {login.token}' "
        f"'{url}api/v1/criteria/?framework=soc2'",
        soft_wrap=True,
    )
    if no_serve:
        return
    console.print("Press Ctrl+C to stop.")
    _serve(bind_host, bind_port, options.threads, options.workers if workers is None else workers)
