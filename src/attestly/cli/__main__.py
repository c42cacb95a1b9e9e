from attestly.cli.main import run

run()
