"""``reetool people``: a who's who of the corpus, from the roles in the store or a pipe."""

from typing import Annotated

import typer

from reetool.cli.emit import emit, resolve_format
from reetool.cli.errors import finish
from reetool.cli.options import CorpusFormatOpt, DbOpt, VocabOpt, settings

app = typer.Typer()


@app.command()
def people(
    ctx: typer.Context,
    org: Annotated[
        str | None, typer.Option("--org", help="Only people with a role at this organization (or alias).")
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the sentences each role was read from.")
    ] = False,
    fmt: CorpusFormatOpt = None,
    db: DbOpt = None,
    vocab: VocabOpt = None,
) -> None:
    """Who is who: each person's titles and organizations.

    Each person with the titles and organizations the corpus gives them, names merged
    across documents, with their documents and first and last publication date. Reads
    JSON lines from stdin when piped (reetool extract ... --format jsonl | reetool
    people), otherwise the store.

    Example: reetool people --org "China Rare Earth Group" --explain
    """
    from reetool.cli.inputs import corpus_store, piped_extractions
    from reetool.name_index import EntityIndex
    from reetool.people import PEOPLE_COLUMNS, PeopleIndex
    from reetool.report import people_table
    from reetool.roles import load_titles

    fmt = resolve_format(fmt, "table")
    loaded = settings(vocab).vocab
    index = PeopleIndex(EntityIndex(loaded, labels=["PERSON", "ORG"]), load_titles(loaded))
    piped, problems = piped_extractions(ctx)
    if piped is not None:
        for ext in piped:
            index.add(ext)
        people = index.people(org)
    else:
        from reetool.store import Store

        Store.upgrade(db)
        with corpus_store(db) as store:
            index.names.add_names(store.name_stats(["PERSON", "ORG"]))
            index.add_roles(store.roles())
            people = index.people(org)  # while open: merged names' documents are read then
    records = [p.record(explain) for p in people]
    columns = list(PEOPLE_COLUMNS) + (["evidence"] if explain else [])
    emit(fmt, records, columns, lambda: people_table(records, explain))
    finish(bool(problems))
