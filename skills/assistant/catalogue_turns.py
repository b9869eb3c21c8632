"""Catalogue turns: find, refine ("cheaper?", "more"), details, more like this, and "which one?"."""

from __future__ import annotations

from knowledge.answers import compose_offline, fits
from knowledge.filters import Filters
from knowledge.search import Entry, SearchResult
from skills.assistant.context import TurnContext, filters_from_dict, filters_to_dict
from skills.assistant.intents import Refinement
from skills.assistant.messages import Action, Button, Message, say
from skills.assistant.replies import answer_message, details_message
from skills.assistant.resolve import is_pointer, match, position

PAGE = 5


def find(ctx: TurnContext, query: str, *, filters: Filters | None = None) -> Message:
    """A grounded answer for what the user wants to learn."""
    answer = ctx.answerer.answer(query, k=PAGE, filters=filters, history=ctx.history(), language=ctx.language())
    ctx.state.update(query=query, filters=filters_to_dict(filters or Filters()), shown=answer.citations,
                     seen=answer.citations)
    return answer_message(answer)


def refine(ctx: TurnContext, refinement: Refinement) -> Message:
    """The previous search again, cheaper, shorter, free, at a level, or the next page."""
    query = ctx.recall("query")
    if not isinstance(query, str) or not query:
        return say("Tell me what you'd like to learn first, e.g. *python for beginners*.", intent="refine")
    filters = filters_from_dict(ctx.recall("filters"))
    entries = [e for e in (ctx.kb.get(i) for i in ctx.shown()) if e is not None]
    if refinement.cheaper:
        costs = [e.cost for e in entries if e.cost]
        if not costs:
            return say("Those are all free already.", intent="refine")
        filters = filters.override(Filters(max_cost=round(min(costs) - 0.01, 2)))
    if refinement.shorter:
        hours = [e.duration_hours for e in entries if e.duration_hours]
        if hours:
            filters = filters.override(Filters(max_hours=round(min(hours) - 0.01, 2)))
    if refinement.free:
        filters = filters.override(Filters(max_cost=0.0))
    if refinement.level:
        filters = filters.override(Filters(level=refinement.level))
    seen_value = ctx.recall("seen")
    seen = {str(s) for s in seen_value} if isinstance(seen_value, list) and refinement.more else set()
    result = ctx.kb.search(query, k=PAGE + len(seen), filters=filters, language=ctx.language())
    page = SearchResult(query=query, hits=[h for h in result.hits if h.id not in seen][:PAGE], filters=result.filters)
    if refinement.more and not page.hits:
        return say("That's everything I have on that. Try other words?", intent="refine")
    answer = compose_offline(query, page)
    ctx.state.update(query=query, filters=filters_to_dict(filters), shown=answer.citations,
                     seen=sorted(seen | set(answer.citations)))
    return answer_message(answer, intent="refine")


def resolve_credential(ctx: TurnContext, ref: str, *, verb: str) -> Entry | Message:
    """The credential a reference names, or a message asking which one (with buttons)."""
    shown = ctx.shown()
    if is_pointer(ref):
        focus = ctx.recall("focus")
        chosen = str(focus) if focus else (shown[0] if len(shown) == 1 else None)
        entry = ctx.kb.get(chosen) if chosen else None
        return entry or say("Which one? Say *the second one*, or name it.", intent="clarify")
    index = position(ref, len(shown)) if shown else None
    if index is not None:
        entry = ctx.kb.get(shown[index])
        if entry is not None:
            return entry
    if position(ref, 99) is not None:
        return say("I haven't shown you a list with that many yet. What would you like to learn?", intent="clarify")
    exact = ctx.kb.get(ref.strip())
    if exact is not None:
        return exact
    listed = [e for e in (ctx.kb.get(i) for i in shown) if e is not None]
    found = match(ref, listed)
    if len(found) == 1 and isinstance(found[0], Entry):
        return found[0]
    candidates: list[object] = list(found)
    if not candidates:
        hits = [h for h in ctx.kb.search(ref, k=3, parse=False).hits if fits(h)]  # lexical evidence only
        candidates = [ctx.kb.get(h.id) for h in hits]
    entries = [e for e in candidates if isinstance(e, Entry)]
    named = [e for e in match(ref, entries) if isinstance(e, Entry)]
    if len(named) == 1 and (verb != "enrol" or found):
        return named[0]
    return _which((named or entries)[:3], verb)  # found by searching: enrolling waits for the user's pick


def _which(entries: list[Entry], verb: str) -> Message:
    if not entries:
        return say("I couldn't tell which credential you mean. Ask me to find one first.", intent="clarify")
    buttons = [Button(f"{verb.capitalize()}: {e.title[:60]}", Action(verb, {"credential_id": e.id})) for e in entries]
    question = "Which one did you mean?" if len(entries) > 1 else "Is this the one?"
    message = say(question, intent="clarify", buttons=buttons)
    message.citations = [e.id for e in entries]
    return message


def details(ctx: TurnContext, ref: str) -> Message:
    """One credential in full."""
    entry = resolve_credential(ctx, ref, verb="details")
    if isinstance(entry, Message):
        return entry
    ctx.state.update(focus=entry.id)
    return details_message(entry)


def more_like(ctx: TurnContext, ref: str) -> Message:
    """Credentials close to one the user picked."""
    entry = resolve_credential(ctx, ref, verb="more_like")
    if isinstance(entry, Message):
        return entry
    query = " ".join([entry.title, *entry.skills[:5]])
    result = ctx.kb.search(query, k=PAGE + 1, parse=False, language=ctx.language())
    page = SearchResult(query=query, hits=[h for h in result.hits if h.id != entry.id][:PAGE], filters=Filters())
    answer = compose_offline(entry.title, page)
    answer.text = f"More like *{entry.title}*:\n" + answer.text.split("\n", 1)[-1]
    ctx.state.update(query=query, filters=filters_to_dict(Filters()), shown=answer.citations, focus=entry.id,
                     seen=answer.citations)
    return answer_message(answer, intent="more_like")


def clarify(ctx: TurnContext, ref: str) -> Message:
    """A bare reference ("the second one"): ask what to do with it."""
    entry = resolve_credential(ctx, ref, verb="details")
    if isinstance(entry, Message):
        return entry
    ctx.state.update(focus=entry.id)
    buttons = [Button("Details", Action("details", {"credential_id": entry.id})),
               Button("Enrol", Action("enrol", {"credential_id": entry.id}), "primary"),
               Button("More like this", Action("more_like", {"credential_id": entry.id}))]
    message = say(f"What would you like to do with *{entry.title}* ({entry.provider})?", intent="clarify",
                  buttons=buttons)
    message.citations = [entry.id]
    return message
