"""Questions read once: the want names the headline and drives search; the self-description is context."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.answers import answer_offline
from knowledge.base import KnowledgeBase
from knowledge.language import detect_language, normalise_language, requested_language
from knowledge.query import understand
from tests.knowledge.conftest import make_settings

DEMO = Path(__file__).resolve().parents[2] / "knowledge" / "demo" / "catalogue.yaml"

# (question, the headline's topic, words at least one of which each of the top three results mentions):
# self-description first, last and in the middle, "not X", "already know Y", typos, one word, Spanish.
PHRASINGS = [
    (
        "I'm a software engineer and want to move into cloud security, what should I take?",
        "cloud security",
        ("security", "secur"),
    ),
    (
        "I work in marketing and I'm curious about machine learning",
        "machine learning",
        ("machine learning", "ai", "artificial intelligence"),
    ),
    ("cloud security", "cloud security", ("security",)),
    ("python", "python", ("python",)),
    ("excel", "excel", ("excel",)),
    ("kubernetes", "kubernetes", ("kubernetes",)),
    ("negotiation", "negotiation", ("negotiat",)),
    ("sql", "sql", ("sql",)),
    ("pyhton", "python", ("python",)),
    ("machine lerning course", "machine learning", ("machine learning", "ai")),
    ("cybersecuirty for beginners", "cybersecurity", ("secur",)),
    ("I want to learn python. I'm a teacher.", "python", ("python",)),
    ("As a nurse, I'd like to learn data analysis", "data analysis", ("data",)),
    ("I'm an accountant, I already know excel, looking for something on python", "python", ("python",)),
    ("I already know docker, want to learn kubernetes", "kubernetes", ("kubernetes",)),
    ("i know sql already, what about python for data science?", "python data science", ("python",)),
    ("I'm a project manager who wants to learn agile", "agile", ("agile",)),
    ("I'm a product manager and want to get better at user research", "user research", ("user", "ux", "research")),
    ("never written a line of code, want to pick up python", "python", ("python",)),
    ("total newbie here, interested in web development", "web development", ("web",)),
    (
        "I'm in sales - want to understand AI without having to code",
        "ai",
        ("ai", "artificial intelligence", "machine learning"),
    ),
    ("courses on leadership, not project management", "leadership", ("lead", "manag", "team")),
    ("data science but not python", "data science", ("data",)),
    ("something on public speaking please", "public speaking", ("speak", "present", "communicat")),
    (
        "how do I get better at managing people? just got promoted to team lead",
        "managing people",
        ("team", "manag", "lead", "communicat"),
    ),
    (
        "just got promoted to team lead, how do I manage people",
        "manage people",
        ("team", "manag", "lead", "communicat"),
    ),
    ("I work as a data analyst and want to learn machine learning", "machine learning", ("machine learning", "ai")),
    (
        "what should I take to get into ux design? I'm a graphic designer",
        "ux design",
        ("ux", "user experience", "design"),
    ),
    (
        "I'm a graphic designer. what should I take to get into ux design?",
        "ux design",
        ("ux", "user experience", "design"),
    ),
    ("interested in blockchain", "blockchain", ("blockchain", "crypto", "bitcoin")),
    ("curious about astronomy", "astronomy", ("astro", "planet", "universe", "space")),
    ("teach me excel", "excel", ("excel",)),
    ("any course about devops?", "devops", ("devops", "delivery", "continuous")),
    ("looking for a course on project management", "project management", ("project",)),
    ("I need to learn SQL so I can pull my own data", "sql", ("sql", "data")),
    (
        "I'm a developer with 5 years experience, want to learn cloud architecture",
        "cloud architecture",
        ("cloud", "architect"),
    ),
    (
        "I'm a senior engineer, interested in site reliability engineering",
        "site reliability engineering",
        ("reliab", "sre", "devops"),
    ),
    ("free course on cybersecurity", "cybersecurity", ("secur",)),
    ("beginner python course", "python", ("python",)),
    ("google cloud networking", "google cloud networking", ("network",)),
    ("I'm new to programming and want to build websites", "build websites", ("web",)),
    ("help me with statistics", "statistics", ("statist", "probab", "data")),
    ("I am a teacher who wants to learn about data visualization", "data visualization", ("visual", "data")),
    ("data visualization, I'm a teacher", "data visualization", ("visual", "data")),
    ("marketing person here, want to understand machine learning", "machine learning", ("machine learning", "ai")),
    ("I've never done any coding but I want to learn python", "python", ("python",)),
    ("im a nurse and i want to learn excel", "excel", ("excel",)),
    ("linear algebra for machine learning", "linear algebra machine learning", ("algebra", "math", "matri")),
    ("tech support", "tech support", ("support", "it ", "technical")),
    ("communication skills for remote teams", "communication skills remote teams", ("communicat", "remote", "team")),
    ("quiero aprender python", "python", ("python",)),
    ("busco un curso de excel", "excel", ("excel",)),
    ("cursos de ciberseguridad", "ciberseguridad", ("secur", "segur")),
    (
        "me interesa el aprendizaje automático",
        "aprendizaje automático",
        ("machine learning", "aprendizaje", "ai", "inteligencia"),
    ),
    ("soy ingeniero de software y quiero aprender sobre la nube", "nube", ("cloud", "nube")),
    ("ya sé excel, quiero aprender python", "python", ("python",)),
    ("cursos de gestión de proyectos en español", "gestión proyectos", ("proyecto", "project", "gestión", "gestion")),
    ("I'd like courses on python in Spanish", "python", ("python",)),
    ("what's good for learning kubernetes? we're moving our services onto it", "kubernetes", ("kubernetes",)),
    ("spreadsheets", "spreadsheets", ("excel", "spreadsheet")),
    ("I'm a CFO. Anything on financial modelling?", "financial modelling", ("financ", "account", "business")),
    (
        "I'm a software engineer and I already know python; I want to learn machine learning",
        "machine learning",
        ("machine learning", "ai"),
    ),
    ("interested in cloud, not AWS", "cloud", ("cloud",)),
    ("can you recommend something on negotiation? I'm a recruiter", "negotiation", ("negotiat",)),
]
# Known limits on the demo catalogue (kept here so a fix shows up as an unexpected pass).
KNOWN_MISSES = {
    "I'm a software engineer and want to move into cloud security, what should I take?":
        "the catalogue has few cloud-security courses; a cloud developer certificate ranks third",
    "I'm a senior engineer, interested in site reliability engineering":
        "one SRE course; an engineering course in German that states no language passes the language filter",
}


def _in_language(kb: KnowledgeBase, credential_id: str, code: str) -> bool:
    entry = kb.get(credential_id)
    assert entry is not None
    return not entry.languages or code in entry.languages


@pytest.fixture(scope="module")
def demo_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The demo catalogue, loaded once."""
    kb = KnowledgeBase(make_settings(badger_data_dir=tmp_path_factory.mktemp("demo") / "data"))
    kb.load([DEMO])
    return kb


def test_the_table_has_sixty_phrasings() -> None:
    assert len(PHRASINGS) >= 60
    assert len({question for question, _, _ in PHRASINGS}) == len(PHRASINGS)


@pytest.mark.parametrize(("question", "topic", "about"), PHRASINGS, ids=[q[:40] for q, _, _ in PHRASINGS])
def test_the_want_is_read_from_every_phrasing(
    demo_kb: KnowledgeBase,
    question: str,
    topic: str,
    about: tuple[str, ...],
) -> None:
    correct = demo_kb.searcher.snapshot().lexical.correct  # typos: the catalogue's words one edit away
    assert understand(question).spelled(correct).topic == topic


@pytest.mark.parametrize(
    ("question", "topic", "about"),
    [
        pytest.param(*row, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[row[0]]))
        if row[0] in KNOWN_MISSES
        else row
        for row in PHRASINGS
    ],
    ids=[q[:40] for q, _, _ in PHRASINGS],
)
def test_headline_names_the_want_and_top_three_are_about_it(
    demo_kb: KnowledgeBase,
    question: str,
    topic: str,
    about: tuple[str, ...],
) -> None:
    answer = answer_offline(demo_kb, question)
    headline = answer.text.split("\n", 1)[0]
    assert f"on *{topic}*" in headline
    if asked := requested_language(question):  # only courses in that language, which may have nothing on it
        assert all(_in_language(demo_kb, hit.id, asked) for hit in answer.hits)
        return
    assert headline.startswith("Here"), headline
    for hit in answer.hits[:3]:
        entry = demo_kb.get(hit.id)
        assert entry is not None
        text = " ".join([entry.title, *entry.skills, *entry.tags, entry.description]).lower()
        assert any(word in text for word in about), (hit.title, about)


def test_the_self_description_is_context_not_the_search() -> None:
    query = understand("I'm a software engineer and want to move into cloud security, what should I take?")
    assert query.about_me.role == "software engineer"
    assert "software engineer" not in query.want
    assert query.topic == "cloud security"
    known = understand("I already know docker and linux, want to learn kubernetes")
    assert known.about_me.known == ("docker", "linux")
    assert understand("never written a line of code, want to pick up python").about_me.level == "beginner"
    assert understand("cloud networking for someone who already knows the basics").about_me.level == "intermediate"
    assert understand("data science but not python").negations == ("python",)


def test_a_negated_provider_is_not_a_filter() -> None:
    query = understand("interested in cloud, not AWS", ["Amazon Web Services", "Google Cloud"])
    assert query.filters.providers == ()
    assert query.negations == ("aws",)


def test_courses_only_teaching_what_they_know_drop_back(demo_kb: KnowledgeBase) -> None:
    plain = [h.id for h in demo_kb.search("excel and python courses", k=10).hits]
    knowing = [h.id for h in demo_kb.search("I already know excel, want excel and python courses", k=10).hits]
    excel_only = [i for i in plain[:5] if "excel" in i and "python" not in i]
    assert excel_only
    for credential in excel_only:
        assert credential not in knowing[:5] or knowing.index(credential) > plain.index(credential)


def _taught(kb: KnowledgeBase, credential_id: str) -> str:
    entry = kb.get(credential_id)
    assert entry is not None
    return " ".join((entry.title, *entry.skills)).lower()


def test_not_x_demotes_x(demo_kb: KnowledgeBase) -> None:
    plain = [h.id for h in demo_kb.search("data science courses", k=10).hits]
    negated = [h.id for h in demo_kb.search("data science courses, not python", k=10).hits]
    with_python = [i for i in plain[:5] if "python" in _taught(demo_kb, i)]
    assert with_python
    for credential in with_python:
        assert credential not in negated or negated.index(credential) > plain.index(credential)


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("I'd like courses on python in Spanish", "es"),
        ("cursos de gestión de proyectos en español", "es"),
        ("anything in Portuguese on data?", "pt"),
    ],
)
def test_a_question_asking_for_a_language_gets_only_that_language(
    demo_kb: KnowledgeBase,
    question: str,
    code: str,
) -> None:
    assert requested_language(question) == code
    result = demo_kb.search(question, k=10)
    assert result.languages == (code,)
    assert result.hits
    assert all(_in_language(demo_kb, hit.id, code) for hit in result.hits)


def test_the_persons_language_is_a_hard_filter_and_any_lifts_it(demo_kb: KnowledgeBase) -> None:
    english = demo_kb.search("essential cloud infrastructure foundation", k=20)
    assert english.languages == ("en",)
    assert all(_in_language(demo_kb, hit.id, "en") for hit in english.hits)
    everything = demo_kb.search("essential cloud infrastructure foundation", k=20, language="*")
    assert not all(_in_language(demo_kb, hit.id, "en") for hit in everything.hits)
    spanish_person = demo_kb.search("I want to learn machine learning", k=20, language="es")
    assert spanish_person.languages == ("es", "en")  # written in English: they read it, so English passes too


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I want to learn python for data analysis", "en"),
        ("quiero aprender python para análisis de datos", "es"),
        ("quero aprender python para análise de dados", "pt"),
        ("je veux apprendre le python pour mon travail", "fr"),
        ("ich möchte Python lernen für die Arbeit", "de"),
        ("saya ingin belajar python untuk analisis data", "id"),
        ("python", None),
        ("sql", None),
    ],
)
def test_the_language_a_question_is_written_in(text: str, code: str | None) -> None:
    assert detect_language(text) == code


def test_catalogue_language_values_become_iso_codes() -> None:
    assert normalise_language("English") == ("en",)
    assert normalise_language("Japanese, English") == ("ja", "en")
    assert normalise_language("Portuguese (Brazilian)") == ("pt",)
    assert normalise_language("es-ES") == ("es",)
    assert normalise_language("-") == ()
    assert normalise_language(None) == ()
