"""The review of kb add quotes on a terminal: each proposal shown with its context, the curator
answering accept, edit a field, skip or quit; what was accepted is written at the end in one
transaction (accepting.add_all), and only when the curator says so. Quitting without saving
leaves every file as it was.
"""

# No ``from __future__ import annotations`` here, as in the other command modules.
from typing import Any

import msgspec
import typer

from karabakh_cli.cli.shared import Output, UsageRefusal, emit, say
from karabakh_cli.curate import accepting, writing
from karabakh_cli.curate.proposing import Proposal
from karabakh_cli.lookup.loaded import LoadedBase
from karabakh_cli.output import proposals as shown
from karabakh_cli.output.render import Format

# The fields a curator may edit, as the prompt names them, and what each holds.
EDITABLE = {
    "speaker": "a person's id or name",
    "text": "the words, verbatim as the text prints them",
    "date": "YYYY[-MM[-DD]], a trailing ? if unsure",
    "place": "where it was said",
    "medium": "how: televised speech, interview...",
    "note": "a curator's note",
    "excerpt": "the passage of the text it stands in",
    "attribution": "stated or inferred (the text names nobody; the note says why)",
    "role": "a new person's role",
}
_ANSWERS = "[a]ccept, [e]dit a field, [s]kip, [q]uit"


def _accepted(proposal: Proposal) -> accepting.Accepted:
    fields = msgspec.structs.asdict(proposal)
    return msgspec.convert(fields, accepting.Accepted)


def _edited(facts: LoadedBase, proposal: Proposal) -> Proposal:
    """The proposal with one field changed as the curator types it; empty clears it."""
    names = ", ".join(EDITABLE)
    say(f"fields: {names}")
    field = typer.prompt("Field to edit", err=True).strip().lower()
    if field not in EDITABLE:
        say(f"no field {field!r} to edit; the fields are {names}")
        return proposal
    current = getattr(proposal, field)
    value: Any = (
        typer.prompt(
            f"{field.capitalize()} ({EDITABLE[field]})",
            default=current if current is not None else "",
            show_default=bool(current),
            err=True,
        ).strip()
        or None
    )
    changes: dict[str, Any] = {field: value}
    if field == "attribution" and value not in ("stated", "inferred"):
        say("attribution is stated or inferred")
        return proposal
    if field == "speaker":
        known = value is not None and value in facts.people
        changes.update(new_person=not known and value is not None and proposal.new_person)
        if value is not None and proposal.status == "unresolved":
            changes["status"] = "new"
    return msgspec.structs.replace(proposal, **changes)


def _why_not(path: Any, accepted: list[accepting.Accepted], proposal: Proposal) -> str | None:
    """Why the proposal cannot be accepted with those already accepted, found by a dry run
    of the transaction, so that the write at the end does not fail on it."""
    if proposal.status == "unresolved" or (proposal.kind == "quote" and not proposal.speaker):
        return "the text names nobody for it: edit the speaker first (e), or skip it (s)"
    try:
        accepting.add_all(path, [*accepted, _accepted(proposal)], dry_run=True)
    except accepting.Refused as refused:
        return str(refused)
    except writing.Invalid as invalid:
        return f"the result would not be valid: {invalid.problems[0].message}"
    return None


def review(facts: LoadedBase, text: str, proposals: list[Proposal], tally: str) -> None:
    """Ask about each proposal not yet in the base; write what was accepted at the end."""
    path = facts.path
    asked = [proposal for proposal in proposals if proposal.status != "in-base"]
    say(f"{tally}; {len(asked)} to review")
    for proposal in proposals:
        if proposal.status == "in-base":
            say(
                f"line {proposal.line}: “{proposal.text}” is in the base already ({proposal.record})"
            )
    accepted: list[accepting.Accepted] = []
    for number, proposal in enumerate(asked, 1):
        while True:
            typer.echo("", err=True)
            emit(shown.card(facts, proposal, text, number, len(asked)), Output(Format.table))
            answer = typer.prompt(_ANSWERS, err=True).strip().lower()[:1]
            if answer == "a":
                why = _why_not(path, accepted, proposal)
                if why is None:
                    accepted.append(_accepted(proposal))
                    say(f"accepted ({len(accepted)} so far)")
                    break
                say(f"cannot accept it: {why}")
            elif answer == "e":
                proposal = _edited(facts, proposal)
            elif answer == "s":
                break
            elif answer == "q":
                _finish(path, accepted, quitting=True)
                return
            else:
                say(f"answer {_ANSWERS}")
    _finish(path, accepted, quitting=False)


def _finish(path: Any, accepted: list[accepting.Accepted], *, quitting: bool) -> None:
    """Write the accepted records in one transaction, once the curator says so."""
    if not accepted:
        say("nothing accepted; nothing written")
        return
    question = f"Write the {len(accepted)} accepted record(s) to {path}?"
    if not typer.confirm(question, default=not quitting, err=True):
        say("nothing written")
        return
    try:
        written = accepting.add_all(path, accepted, dry_run=False)
    except accepting.Refused as refused:
        raise UsageRefusal(f"proposal {refused.item}: {refused}; nothing written") from None
    except writing.Invalid as invalid:
        problem = invalid.problems[0].as_loader_line(str(path))
        raise UsageRefusal(f"nothing written: the result would not be valid: {problem}") from None
    for note in written.notes:
        say(note)
    say(f"added {accepting.counted(written)} to {path}")
