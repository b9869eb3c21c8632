"""Languages: catalogue values as ISO 639-1 codes, a language a question asks for, and the one it is written in."""

from __future__ import annotations

import re
from functools import lru_cache

# Names (English and native) to ISO 639-1 codes; catalogues write "English", "Portuguese (Brazilian)", "es".
_NAMES = {
    "en": ("english", "inglés", "ingles", "anglais", "englisch"),
    "es": ("spanish", "español", "espanol", "castellano", "espagnol", "spanisch"),
    "pt": ("portuguese", "português", "portugues", "portugués"),
    "fr": ("french", "français", "francais", "francés", "frances", "französisch"),
    "de": ("german", "deutsch", "alemán", "aleman", "allemand"),
    "it": ("italian", "italiano", "italien"),
    "id": ("indonesian", "bahasa indonesia", "indonesio"),
    "tr": ("turkish", "türkçe", "turkce", "turco"),
    "ja": ("japanese", "日本語", "japonés", "japones"),
    "zh": ("chinese", "mandarin", "中文", "chino"),
    "ru": ("russian", "русский", "ruso"),
    "ar": ("arabic", "árabe", "arabe"),
    "ko": ("korean", "한국어", "coreano"),
    "nl": ("dutch", "nederlands"),
    "hi": ("hindi",),
    "vi": ("vietnamese",),
    "pl": ("polish", "polski"),
    "uk": ("ukrainian",),
}
_BY_NAME = {name: code for code, names in _NAMES.items() for name in names}
LANGUAGE_ASK = re.compile(
    r"\b(?:in|en|em|auf|taught in|dictados? en|impartidos? en)\s+(?P<name>" + "|".join(
        sorted((re.escape(n) for n in _BY_NAME if " " not in n), key=len, reverse=True)) + r")\b", re.I)

# The most frequent short words of each language; a question is in a language when its words are mostly these.
_STOPWORDS = {
    "en": "the a an and or of to in on for with is are i me my we you what how do does can want need learn "
          "course courses about it that this there any some something should which get into be have not",
    "es": "el la los las un una y o de del en para con es son yo me mi quiero necesito aprender curso cursos "
          "sobre que qué cómo como hay algo algún alguna puedo tengo no por más mejor ya sé soy trabajo",
    "pt": "o a os as um uma e ou de do da dos das em para com é são eu me meu quero preciso aprender curso "
          "cursos sobre que como há algo algum posso tenho não por mais melhor já sou trabalho",
    "fr": "le la les un une et ou de du des en pour avec est sont je me mon veux besoin apprendre cours "
          "sur que comment il y a quelque chose puis-je ai pas plus mieux déjà suis travaille",
    "de": "der die das ein eine und oder von zu in für mit ist sind ich mich mein will möchte brauche lernen "
          "kurs kurse über was wie gibt es etwas kann habe nicht mehr besser schon bin arbeite",
    "it": "il lo la i gli le un una e o di del della in per con è sono io mi mio voglio bisogno imparare "
          "corso corsi su che come c'è qualcosa posso ho non più meglio già lavoro",
    "id": "yang dan di ke dari untuk dengan ini itu saya aku ingin mau belajar kursus tentang apa bagaimana "
          "ada bisa tidak lebih sudah adalah",
}
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.U)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, frozenset[str]]:
    return {code: frozenset(words.split()) for code, words in _STOPWORDS.items()}


def normalise_language(value: str | None) -> tuple[str, ...]:
    """A catalogue language value as ISO 639-1 codes ('Japanese, English' -> ('ja', 'en')); () when unknown."""
    if not value:
        return ()
    codes: list[str] = []
    for part in re.split(r"\s*[,;/]\s*|\s+and\s+", value.strip().lower()):
        part = re.sub(r"\s*\(.*?\)\s*", "", part).strip()
        base = part.split("-")[0].split("_")[0]
        code = _BY_NAME.get(part) or (base if len(base) == 2 and base.isalpha() else None)
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


def requested_language(text: str) -> str | None:
    """The language a question asks courses in ("in Spanish", "en español"), or None."""
    match = LANGUAGE_ASK.search(text)
    return _BY_NAME[match.group("name").lower()] if match else None


def detect_language(text: str, *, minimum_words: int = 3) -> str | None:
    """The language a question is written in, from its short function words; None when unsure."""
    words = [w.lower() for w in _TOKEN.findall(text)]
    if len(words) < minimum_words:
        return None
    counts = {code: sum(1 for w in words if w in lexicon) for code, lexicon in _lexicon().items()}
    best = max(counts, key=lambda code: counts[code])
    ranked = sorted(counts.values(), reverse=True)
    if ranked[0] < 2 or ranked[0] == ranked[1]:
        return None
    return best


def locale_language(locale: str | None) -> str | None:
    """The language of a Slack locale or org-file value ('es-ES', 'pt_BR', 'Spanish') as a code, or None."""
    codes = normalise_language(locale)
    return codes[0] if codes else None


# Common learning topics in Spanish and Portuguese, with their English names: the bundled embedding model
# and most catalogues are English, so a question in another language searches with both.
_GLOSSARY = {
    "aprendizaje automático": "machine learning", "aprendizaje automatico": "machine learning",
    "aprendizado de máquina": "machine learning", "inteligencia artificial": "artificial intelligence",
    "inteligência artificial": "artificial intelligence", "ciberseguridad": "cybersecurity",
    "cibersegurança": "cybersecurity", "seguridad": "security", "segurança": "security", "nube": "cloud",
    "nuvem": "cloud", "gestión de proyectos": "project management", "gestão de projetos": "project management",
    "ciencia de datos": "data science", "ciência de dados": "data science", "análisis de datos": "data analysis",
    "análise de dados": "data analysis", "datos": "data", "dados": "data", "programación": "programming",
    "programação": "programming", "redes": "networking", "diseño": "design", "design de": "design",
    "liderazgo": "leadership", "liderança": "leadership", "hojas de cálculo": "spreadsheets excel",
    "planilhas": "spreadsheets excel", "negociación": "negotiation", "negociação": "negotiation",
    "ventas": "sales", "vendas": "sales", "finanzas": "finance", "finanças": "finance",
    "contabilidad": "accounting", "contabilidade": "accounting", "comunicación": "communication",
    "comunicação": "communication", "desarrollo web": "web development", "desenvolvimento web": "web development",
    "estadística": "statistics", "estatística": "statistics", "hablar en público": "public speaking",
    "falar em público": "public speaking", "experiencia de usuario": "user experience ux",
    "atención al cliente": "customer service", "soporte técnico": "technical support",
    "suporte técnico": "technical support", "matemáticas": "mathematics", "matemática": "mathematics",
    "gestión de equipos": "team management", "equipos remotos": "remote teams", "bases de datos": "databases",
    "banco de dados": "databases", "computación en la nube": "cloud computing", "mercadeo": "marketing",
}
_GLOSS = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _GLOSSARY), key=len, reverse=True)) + r")\b", re.I)


def gloss(text: str) -> str:
    """The English names of common learning topics a Spanish or Portuguese text mentions ('' when none)."""
    return " ".join(dict.fromkeys(_GLOSSARY[m.group(1).lower()] for m in _GLOSS.finditer(text)))
