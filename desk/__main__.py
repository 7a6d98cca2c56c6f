"""`python -m desk` is the `desk` command."""

from desk.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
