"""The offline router: slash-command words and clear phrasings to an intent, deterministically."""

from __future__ import annotations

import re

from skills.assistant.intents import Intent, Parsed, Refinement

_I = re.IGNORECASE
_COMMAND = re.compile(r"^/?(?:learn|badger)\b[:,]?\s*", _I)
_HELP = re.compile(r"^(?:help|\?|what can you do\??|hi|hello|hey|commands?)[!.?\s]*$", _I)
_APPROVE = re.compile(r"^(approve|decline|reject|deny)\b(?:\s+(?:request|enrolment|enrollment|number|no\.?))?"
                      r"\s*#?(\d+)\b(?:\s*(?:because|since|as|:|-|–)\s*(.*))?$", _I)
_PENDING = re.compile(r"\b(pending|requests|approvals|waiting for (?:me|my approval)|to approve)\b", _I)
_NOMINATE = re.compile(r"\bnominate\s+(.+?)\s+(?:for|to take|to do)\s+(.+?)(?:\s*(?:because|since|as|:|-|–)\s+(.*))?$",
                       _I)
_PERCENT = re.compile(r"\b(\d{1,3})\s?(?:%|percent|per cent)", _I)
_COMPLETE = re.compile(r"\b(?:i(?:'ve| have)? (?:finished|completed)|(?:i'm |i am )?(?:done|finished) with|"
                       r"completed?|finished)\b", _I)
_ENROL = re.compile(r"\b(sign me up|sign up|enrol+(?: me)?|register me|book me)\b", _I)
_ENROL_WEAK = re.compile(r"^(?:i'?ll |let'?s |i want to |i'd like to )?(?:take|join|do)\s+"
                         r"(the\s+[\w .+#-]*?one|#?\d{1,2}|(?:the )?(?:first|second|third|fourth|fifth|last)(?: one)?"
                         r"|it|that one|that)[?.!]*$", _I)
_STATUS = re.compile(r"^(?:status|my status|progress)[?.!]*$|\bmy (?:status|courses|learning|enrol+ments|badges|"
                     r"progress|nominations)\b|\bwhat am i (?:enrol+ed in|doing|taking|working on)\b"
                     r"|\bwhere am i\b", _I)
_TEAM_GAPS = re.compile(r"\bteam(?:'s)? (?:skill )?gaps?\b|\bgaps? (?:in|on|for) my team\b", _I)
_GAPS = re.compile(r"^gaps?[?.!]*$|\b(?:my|skill|skills) gaps?\b|\bmissing skills\b|\bwhat (?:skills )?(?:should|do) i "
                   r"(?:learn|need) for my role\b|\bfor my role\b", _I)
_TEAM = re.compile(r"\b(?:my team|team status|team dashboard|team progress|my reports)\b", _I)
_TALENT = re.compile(r"\b(?:who (?:knows|has|can|earned|holds)|anyone (?:who knows|with)|talent search|"
                     r"find someone (?:with|who knows)|people with|experts? (?:in|on))\s+(.+)$", _I)
_DETAILS = re.compile(r"\b(?:details?(?: (?:on|of|about|for))?|tell me (?:more )?about|"
                      r"more (?:about|on|info (?:on|about))|what(?:'s| is) in|describe)\s+(.+)$", _I)
_MORE_LIKE = re.compile(r"\b(?:more like|similar to|others? like|anything like)\s+(.+)$", _I)
_REF = re.compile(r"^(?:#?\d{1,2}|(?:the )?(?:first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last)(?: one)?|"
                  r"that one|this one|it|that)[?.!]*$", _I)
_FIND = re.compile(r"^(?:find|search|suggest|recommend|show me|look for|looking for)\b\s*", _I)


def _refinement(text: str) -> Refinement | None:
    words = re.findall(r"[a-z]+", text.lower())
    if not words or len(words) > 6:
        return None
    joined = " ".join(words)
    cheaper = bool(re.search(r"\b(cheaper|less expensive|lower cost|cheapest)\b", joined))
    shorter = bool(re.search(r"\b(shorter|quicker|faster|less time)\b", joined))
    free = bool(re.search(r"\b(free|no cost)\b", joined))
    level = next((lvl for lvl in ("beginner", "intermediate", "advanced") if lvl in joined), None)
    more = bool(re.fullmatch(r"(?:show )?(?:me )?(?:some )?(?:more|next|others|other ones|something else)(?: please)?",
                             joined))
    if not (cheaper or shorter or free or level or more):
        return None
    rest = set(words) - {"cheaper", "shorter", "quicker", "faster", "free", "ones", "one", "any", "something", "for",
                         "beginners", "beginner", "intermediate", "advanced", "only", "please", "show", "me", "more",
                         "less", "expensive", "lower", "cost", "time", "no", "a", "bit", "the", "cheapest", "what",
                         "about", "some", "options", "next", "others", "other", "else", "level", "is", "there",
                         "anything", "are", "those", "courses", "course"}
    if rest:
        return None
    return Refinement(cheaper=cheaper, shorter=shorter, free=free, level=level, more=more)


def route(text: str) -> Parsed:
    """The intent of one message, with its slots; FIND when it names something to learn, else CLARIFY or HELP."""
    text = _COMMAND.sub("", " ".join(text.split())).strip()
    if not text or _HELP.match(text):
        return Parsed(Intent.HELP)
    if m := _APPROVE.match(text):
        verb = m.group(1).lower()
        intent = Intent.APPROVE if verb == "approve" else Intent.DECLINE
        return Parsed(intent, enrolment_id=int(m.group(2)), reason=(m.group(3) or "").strip())
    if m := _NOMINATE.search(text):
        return Parsed(Intent.NOMINATE, person=m.group(1).strip(), ref=m.group(2).strip(),
                      reason=(m.group(3) or "").strip())
    if _PENDING.search(text) and len(text.split()) <= 6:
        return Parsed(Intent.PENDING)
    if m := _PERCENT.search(text):
        rest = (text[: m.start()] + text[m.end():]).strip()
        return Parsed(Intent.PROGRESS, percent=int(m.group(1)), ref=_strip_progress_words(rest))
    if _COMPLETE.search(text) and not _FIND.match(text):
        return Parsed(Intent.COMPLETE, ref=_strip_progress_words(_COMPLETE.sub("", text)))
    if _TEAM_GAPS.search(text):
        return Parsed(Intent.TEAM_GAPS)
    if _GAPS.search(text):
        return Parsed(Intent.GAPS)
    if _STATUS.search(text):
        return Parsed(Intent.STATUS)
    if _TEAM.search(text):
        return Parsed(Intent.TEAM)
    if m := _TALENT.search(text):
        return Parsed(Intent.TALENT, query=m.group(1).strip(" ?.!"))
    if m := _MORE_LIKE.search(text):
        return Parsed(Intent.MORE_LIKE, ref=m.group(1).strip(" ?.!"))
    if m := _DETAILS.search(text):
        return Parsed(Intent.DETAILS, ref=m.group(1).strip(" ?.!"))
    if m := _ENROL.search(text):
        ref = re.sub(r"^(?:me\s+)?(?:up\s+)?(?:for|in|into|on|to)?\s*", "", text[m.end():].strip(), flags=_I)
        return Parsed(Intent.ENROL, ref=ref.strip(" ?.!"))
    if m := _ENROL_WEAK.match(text):
        return Parsed(Intent.ENROL, ref=m.group(1).strip(" ?.!"))
    if refine := _refinement(text):
        return Parsed(Intent.REFINE, refine=refine)
    if _REF.match(text):
        return Parsed(Intent.CLARIFY, ref=text.strip(" ?.!"))
    return Parsed(Intent.FIND, query=_FIND.sub("", text).strip() or text)


def _strip_progress_words(text: str) -> str:
    cleaned = re.sub(r"\b(?:i'?m|i am|i've|i have|done|through|with|of|into|on|in|about|now|already|just|the course|"
                     r"finished|completed|complete)\b", " ", text, flags=_I)
    return " ".join(cleaned.split()).strip(" ?.!,")
