from onhand.cli import app

app()
