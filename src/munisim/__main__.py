"""``python -m munisim`` runs the command-line interface."""

from munisim.cli import main

main()
