"""A question read once: what the person wants, what they say about themselves, filters, negations, language."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from knowledge.filters import Filters, parse_filters
from knowledge.language import LANGUAGE_ASK, detect_language, gloss, requested_language
from knowledge.lexical import terms

# Words that carry no topic: what is left of a want without them is what it is about.
FILLER = frozenset({
    "a", "an", "the", "i", "me", "my", "we", "our", "us", "to", "for", "on", "in", "of", "about", "with", "and",
    "or", "want", "wanna", "need", "would", "like", "looking", "look", "find", "show", "suggest", "recommend", "any",
    "some", "something", "course", "courses", "class", "classes", "credential", "credentials", "badge", "badges",
    "learn", "learning", "training", "program", "programme", "certificate", "please", "pls", "can", "you", "is",
    "are", "there", "what", "which", "good", "best", "free", "cheap", "beginner", "beginners", "intermediate",
    "advanced", "level", "under", "hours", "hour", "online", "from", "that", "this", "do", "have", "get", "take",
    "be", "by", "than", "less", "at", "most", "h", "help", "how", "into", "start", "started", "getting", "new",
    "up", "dollars", "dollar", "usd", "bucks", "euros", "eur", "pounds", "gbp", "cost", "costs", "price", "days",
    "day", "weeks", "week", "hrs", "within", "below", "max", "maximum", "no", "one", "ones", "stuff", "should",
    "could", "i'd", "i'm", "im", "it", "its", "anything", "really", "actually", "just", "so", "more",
    "better", "where", "even", "maybe", "also", "too", "very", "things", "thing", "kind", "sort", "bit", "lot",
    "curious", "interested", "keen", "move", "moving", "switch", "switching", "pick", "picking", "study", "course?",
    "recommendations", "recommendation", "ideas", "options", "there's", "whats", "what's", "tell", "know",
    "understand", "am", "explore", "teach", "basics", "intro", "introduction",
    # Spanish
    "quiero", "aprender", "busco", "cursos", "curso", "sobre", "de", "del", "la", "el", "los", "las", "un", "una",
    "en", "para", "y", "o", "algo", "algún", "algun", "alguna", "hay", "que", "qué", "mi", "gratis",
    "principiantes", "principiante", "por", "favor", "necesito", "recomienda", "recomiendas", "con", "al", "se",
    "puedo", "tomar", "interesa", "gustaría", "gustaria", "mejorar",
})

_LEVEL_WORDS = {
    "beginner": re.compile(
        r"\b(never (?:written|coded|done|used|programmed|touched)\b[^.,;?!]*|no (?:\w+ )?experience|"
        r"(?:total|complete|absolute) (?:newbie|beginner|novice)|new to (?:this|it|coding|programming|tech)|"
        r"from scratch|non[- ]technical|nunca he \w+|sin experiencia|desde cero|de cero)", re.I),
    "intermediate": re.compile(
        r"\b(already know(?:s)? the basics|know(?:s)? the basics|past the basics|beyond the basics|"
        r"some experience|ya sé lo básico|ya se lo basico)", re.I),
    "advanced": re.compile(r"\b(\d+\+? years? (?:of )?experience|senior|experienced|expert in)\b", re.I),
}
_ROLE = re.compile(
    r"\b(?:i'?m|i am|im|soy)\s+(?:an?\s+|un\s+|una\s+)?(?!in\b|new\b|curious\b|interested\b|looking\b|trying\b|"
    r"thinking\b|keen\b|going\b|not\b|already\b|currently\b|a bit\b|pretty\b|really\b)"
    r"(?P<role>[\w/&+-]+(?:\s+(?!and\b|who\b|but\b|want|looking|trying|so\b|with\b)[\w/&+-]+){0,3})", re.I)
_WORK = re.compile(r"\b(?:i work|i'm working|i am working|trabajo)\s+(?:in|as|on|at|en|como)\s+(?:an?\s+|the\s+)?"
                   r"(?P<role>[\w/&+-]+(?:\s+(?!and\b|but\b|so\b)[\w/&+-]+){0,2})", re.I)
_IN_FIELD = re.compile(r"\b(?:i'?m|i am|im)\s+in\s+(?P<role>[\w/&+-]+(?:\s+(?!and\b|but\b|so\b)[\w/&+-]+)?)\b", re.I)
_HERE = re.compile(r"^\s*(?:new(?:-ish)?\s+|junior\s+|senior\s+)?(?P<role>[\w/&+-]+(?:\s+[\w/&+-]+)?)\s+here\b", re.I)
_PROMOTED = re.compile(r"\b(?:just\s+)?(?:got\s+)?(?:bumped up|promoted|moved up)\s+to\s+(?:an?\s+)?"
                       r"(?P<role>[\w/&+-]+(?:\s+[\w/&+-]+)?)", re.I)
_KNOWN = re.compile(
    r"\b(?:i\s+)?(?:already\s+(?:know|knows|use|do|have|did)|(?:i'?m|i am) (?:already )?(?:familiar|comfortable|"
    r"fluent|good) with|i(?:'ve| have) (?:already )?(?:done|used|learned|learnt|taken))\s+"
    r"(?P<skill>[\w#+./ -]+?)(?=\s*(?:$|[,.;?!]|\bbut\b|\band (?:i|i'm|want|wanna|would|looking|now|need)\b|"
    r"\bso\b|\balready\b|\bwell\b|\bwant))"
    r"|\bya\s+(?:sé|se|conozco|domino|uso)\s+(?P<skill_es>[\w#+./ -]+?)(?=\s*(?:$|[,.;?!]|\bpero\b|\by\b))"
    r"|\bi know (?P<skill_after>[\w#+./-]+(?: [\w#+./-]+)?) already\b", re.I)
_NEGATION = re.compile(
    r"(?:\bnot\b|\bno\b|\bwithout(?: having to)?\b|\bexcept\b|\bother than\b|\bapart from\b|\bsin\b|\bexcepto\b|"
    r"\bnada de\b|\bbut not\b)\s+(?P<what>(?:the\s+|any\s+|a\s+)?[\w#+./-]+(?:\s+[\w#+./-]+){0,2})", re.I)
# Cues that introduce the want; what follows (to the end of the clause) is the topic.
_WANT = re.compile(
    r"\b(?:want(?:s)? to (?:actually |really |properly |finally )?(?:learn|understand|"
    r"get (?:into|better at|good at)|move (?:in)?to|switch (?:in)?to|"
    r"pick up|study|know(?: more)? about|go into|transition (?:in)?to|do)|wanna (?:learn|get into|do)|"
    r"(?:i'd|i would) like to (?:learn|understand|get into|move into)|curious about|interested in|keen on|"
    r"get (?:into|better at|good at|started (?:with|in|on))|learn(?:ing)? (?:about|more about)?|"
    r"(?:course|courses|class|something|anything|training|credentials?|badges?|stuff)\s+(?:on|about|in|for|covering)|"
    r"move (?:in)?to|switch(?:ing)? (?:in)?to|brush up on|level up(?: my)?|improve(?: my)?|"
    r"quiero aprender(?: sobre)?|me interesa(?:n)?|cursos? (?:de|sobre)|aprender(?: sobre)?|busco (?:un |algo )?"
    r"(?:curso )?(?:de |sobre )?)\s+(?P<topic>[^.?!;]+)", re.I)
_CLAUSE_SPLIT = re.compile(r"[.?!;]+\s*|\s+[-–—]\s+|,\s*(?=(?:i|i'm|im|and|but|so|we|my|as|not)\b)|"
                           r"\s+(?=(?:and|but|so)\s+(?:i|i'm|im|want|would|now|looking)\b)", re.I)
_TOPIC_END = re.compile(r"\s*(?:,|\b(?:because|since|so that|so i|for my|for our|i think|we |which|that way|"
                        r"but\b|what should|where do|any ideas|porque|para mi|para poder)).*$", re.I)
_SELF_CLAUSE = re.compile(r"^\s*(?:and\s+|but\s+|so\s+)?(?:i'?m|i am|im|i work|soy|trabajo|my (?:role|job|"
                          r"background)|as an?\b|i have (?:a )?background|i(?:'ve| have) (?:never|been|already)|"
                          r"never\b|just got|new(?:-ish)? \w+ here)", re.I)
_WANT_IN_CLAUSE = re.compile(r"\b(want|wanna|would like|i'd like|curious|interested|keen|looking for|learn|"
                             r"get into|move into|quiero|me interesa|busco)\b", re.I)
_LEARNING_KINDS = frozenset({"machine", "deep", "reinforcement", "supervised", "unsupervised", "transfer", "e"})
_WORD = re.compile(r"[\w+#.'’/-]+")


@dataclass(frozen=True)
class AboutMe:
    """What a person said about themselves: context for ranking, never the thing searched for."""

    role: str | None = None
    level: str | None = None
    known: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when they said nothing about themselves."""
        return not (self.role or self.level or self.known)


@dataclass(frozen=True)
class Query:
    """One question, read once: search, the answer composer and the why-lines all take this."""

    text: str
    want: str
    topic: str
    about_me: AboutMe = field(default_factory=AboutMe)
    filters: Filters = field(default_factory=Filters)
    negations: tuple[str, ...] = ()
    language: str | None = None
    language_asked: bool = False

    def retrieval_text(self) -> str:
        """The words retrieval runs on: the want (the whole question when nothing else is left).

        A want in another language also carries the English names of the topics it mentions.
        """
        want = self.want or self.text
        english = gloss(want) if self.language != "en" else ""
        return f"{want} ({english})" if english else want

    def context_text(self) -> str:
        """The whole question without who they are: why they want it, what it is for."""
        text = self.text
        for phrase in self.about_me.phrases[:1] if self.about_me.role else ():
            text = text.replace(phrase, " ")
        return " ".join(text.split())

    def has_context(self) -> bool:
        """True when the question says more than the want (who they are, why): worth a second look."""
        return bool(self.want) and set(terms(self.want)) != set(terms(self.text))

    def spelled(self, correct: Callable[[str], str]) -> Query:
        """This query with typos in the want (and its topic) corrected."""
        want = correct(self.want)
        return self if want == self.want else replace(self, want=want, topic=correct(self.topic))

    def with_filters(self, filters: Filters | None) -> Query:
        """This query with given filters taking precedence over those read from its words."""
        return self if filters is None else replace(self, filters=self.filters.override(filters))


def understand(text: str, providers: Iterable[str] = (), *, parse: bool = True) -> Query:
    """Read a question once: the want, the self-description, filters, negations and language."""
    text = " ".join(text.split())
    if not parse:
        return Query(text=text, want=text, topic=topic_words(text))
    about = _about_me(text)
    negations = tuple(dict.fromkeys(
        _clean(m.group("what")) for m in _NEGATION.finditer(text)
        if _clean(m.group("what")) and not re.match(r"(?:\w+ )?experience\b", m.group("what"), re.I)
    ))
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]
    kept = [c for c in clauses if not _is_self_clause(c)]
    want_text = ". ".join(c.rstrip(".?!;") for c in kept) if kept else text
    for phrase in about.phrases:
        want_text = want_text.replace(phrase, " ")
    want_text = _without(want_text, negations)
    asked = requested_language(text)
    if asked:
        want_text = LANGUAGE_ASK.sub(" ", want_text)
    want_text = " ".join(want_text.split()).strip(" ,;:-") or text
    want_text = re.sub(r"^(?:and|but|so|y|pero)\s+", "", want_text, flags=re.I)
    return Query(
        text=text, want=want_text, topic=_topic(want_text), about_me=about,
        filters=parse_filters(_without(text, negations), providers), negations=negations,
        language=asked or detect_language(text), language_asked=asked is not None,
    )


def _without(text: str, negations: Iterable[str]) -> str:
    """The text with each "not X" cut out."""
    for negated in negations:
        text = re.sub(r"\b(?:not|no|without(?: having to)?|except|other than|apart from|sin|excepto|nada de|"
                      r"but not)\s+(?:the\s+|any\s+|a\s+)?" + re.escape(negated) + r"\b", " ", text, flags=re.I)
    return text


def topic_words(text: str) -> str:
    """A text without filler and constraint words ('' when nothing is left)."""
    words = [w.strip(".'’-/") for w in _WORD.findall(text.lower())]
    kept = [w for i, w in enumerate(words) if w and not w.isdigit() and (
        w not in FILLER or (w == "learning" and i > 0 and words[i - 1] in _LEARNING_KINDS))]
    return " ".join(kept)


def _topic(want: str) -> str:
    cued = [m.group("topic") for m in _WANT.finditer(want)]
    for candidate in cued:
        topic = topic_words(_TOPIC_END.sub("", candidate))
        if topic:
            return _short(topic)
    first_clause = next((c for c in _CLAUSE_SPLIT.split(want) if c and topic_words(_TOPIC_END.sub("", c))), want)
    return _short(topic_words(_TOPIC_END.sub("", first_clause)) or topic_words(want))


def _short(topic: str, limit: int = 7) -> str:
    words = topic.split()
    return " ".join(words[:limit])


def _clean(phrase: str) -> str:
    words = [w for w in phrase.lower().split() if w not in {"the", "any", "a", "an"}]
    while words and words[-1] in FILLER:
        words.pop()
    return " ".join(words)


def _is_self_clause(clause: str) -> bool:
    if not _SELF_CLAUSE.search(clause):
        return False
    # "I'm a designer who wants to learn python": the want wins, the self part is cut out by phrase.
    return not _WANT_IN_CLAUSE.search(clause)


def _about_me(text: str) -> AboutMe:
    phrases: list[str] = []
    role = None
    for pattern in (_PROMOTED, _WORK, _IN_FIELD, _HERE, _ROLE):
        if m := pattern.search(text):
            candidate = _clean(m.group("role"))
            if candidate and candidate not in FILLER:
                role = candidate
                phrases.append(m.group(0))
                break
    level = None
    for name, pattern in _LEVEL_WORDS.items():
        if m := pattern.search(text):
            level = name
            phrases.append(m.group(0))
            break
    known: list[str] = []
    for m in _KNOWN.finditer(text):
        skill = m.group("skill") or m.group("skill_es") or m.group("skill_after") or ""
        for part in re.split(r"\s*(?:,|\band\b|\by\b|/)\s*", skill):
            cleaned = _clean(part)
            if cleaned and cleaned not in {"basics", "the basics", "lo básico", "lo basico"}:
                known.append(cleaned)
        phrases.append(m.group(0))
    return AboutMe(role=role, level=level, known=tuple(dict.fromkeys(known)), phrases=tuple(phrases))
