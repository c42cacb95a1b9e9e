"""The `attestly` command. Commands parse and print; the work is done by actions."""
