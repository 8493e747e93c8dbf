"""The terminal in German, French and Spanish: `language …` in the real console, then help and a
whole plan in that language; the check-in the console prints in it too."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from processes import console
from support import TYPED_ANSWERS, Clock, MemoryChat

from adapters.console.notify import ConsoleNotifier
from bot.core.events import ChannelKey
from bot.engine import Engine
from bot.monthly.reminders import ReminderLoop
from bot.storage.store import Store

SAID = {
    "de": ("Befehle von Backlinks bot", "Backlink-Plan für example.com", "Monatlicher Backlink-Check-in für"),
    "fr": ("Commandes de Backlinks bot", "Plan de backlinks pour example.com", "Point mensuel backlinks pour"),
    "es": ("Comandos de Backlinks bot", "Plan de backlinks para example.com", "Seguimiento mensual de backlinks para"),
}


# The capacity lines (of the plan and of `why`) name the strategies in the language too.
CAPACITY = {
    "de": (
        "die günstigsten zuerst (Gastbeiträge 3,8)",
        "Links pro Stunde nach Strategie: Gastbeiträge 0,19, Outreach 0,14",
    ),
    "fr": (
        "les moins coûteux d'abord (articles invités 3,8)",
        "selon la stratégie : articles invités 0,19, outreach 0,14",
    ),
    "es": ("empezando por lo más barato (guest posting 3,8)", "según la estrategia: guest posting 0,19, outreach 0,14"),
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_real_console_speaks_the_chosen_language(tmp_path, language):
    help_heading, plan_heading, _ = SAID[language]
    lines = [f"language {language}", "help", "plan", *(t for _, t in TYPED_ANSWERS), "why", "quit"]
    done = console(tmp_path / "chat.db", lines)
    assert done.returncode == 0, done.stderr
    assert help_heading in done.stdout and plan_heading in done.stdout
    assert "Backlink plan for" not in done.stdout
    for said in CAPACITY[language]:
        assert said in done.stdout, said
    assert "guest posting 3" not in done.stdout or language == "es"  # (Spanish says "guest posting" too)


@pytest.mark.parametrize("language", ["de", "fr", "es"])
async def test_the_check_in_printed_in_the_terminal_is_in_the_channels_language(migrated_db, knowledge, language):
    clock = Clock(dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.UTC))
    store = await Store.open(f"sqlite:///{migrated_db}", clock=clock)
    try:
        engine = Engine(knowledge=knowledge, store=store)
        engine.monthly.charts = False
        chat = MemoryChat(engine, ChannelKey("console", "local", "console"), "me")
        await chat.say(f"language {language}")
        await chat.answer_all(TYPED_ANSWERS)
        out = io.StringIO()
        clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
        notifier = ConsoleNotifier.plain(knowledge, out)
        assert (await ReminderLoop(checkins=engine.monthly, notifiers=[notifier], clock=clock).run_once()).sent == 1
        assert SAID[language][2] in out.getvalue()
    finally:
        await store.close()


# Refused answers and commands in the real console, each reason in the channel's language, the
# question asked again after it (in that language too).
REFUSED = {
    "de": (
        "“Raumschiff” ist keine Art von Website, die ich kenne. Wähle aus: 1 lokales Unternehmen;",
        "2/17  Art der Website",
        "“ganz viele” ist keine Zahl. Gib eine Zahl von 0 bis 100 an, z. B. 35.",
        "-5 ist negativ; für verweisende Domains geht nichts unter 0.",
        "„-2“: ein Log fügt nur Links hinzu. Um welche zurückzunehmen: log undo",
        "„40“ ist kein Tag des Monats: nimm 1 bis 31 oder last.",
    ),
    "fr": (
        "“Raumschiff” n'est pas un type de site que je connais. Choisissez parmi : 1 commerce local ;",
        "2/17  Type de site",
        "“ganz viele” n'est pas un nombre. Donnez un nombre de 0 à 100, par ex. 35.",
        "-5 est négatif ; pour domaines référents, le minimum est 0.",
        "« -2 » : un log ne fait qu'ajouter des liens.",
        "« 40 » n'est pas un jour du mois : utilisez 1 à 31 ou last.",
    ),
    "es": (
        "“Raumschiff” no es un tipo de sitio que yo conozca. Elige entre: 1 negocio local;",
        "2/17  Tipo de sitio",
        "“ganz viele” no es un número. Escribe un número del 0 al 100, p. ej. 35.",
        "-5 es negativo; para dominios de referencia, el mínimo es 0.",
        "«-2»: un registro solo añade enlaces.",
        "«40» no es un día del mes: usa del 1 al 31 o last.",
    ),
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_real_console_gives_its_reasons_in_the_chosen_language(tmp_path, language):
    refused = {"site_kind": "Raumschiff", "authority": "ganz viele", "referring_domains": "-5"}
    lines = [line for question, typed in TYPED_ANSWERS for line in (refused.get(question), typed) if line]
    done = console(tmp_path / "chat.db", [f"language {language}", "plan", *lines, "log -2", "remind day=40", "quit"])
    assert done.returncode == 0, done.stderr
    for said in REFUSED[language]:
        assert said in done.stdout, said
    assert "is not a" not in done.stdout and "Choose from" not in done.stdout


def test_the_terminal_speaks_its_locale_and_says_so(tmp_path):
    """LANG=de_DE.UTF-8 and no `language` chosen: the console's own lines, the replies and the
    `language` answer are German, and that answer names the terminal's settings, not an app."""
    done = console(tmp_path / "chat.db", ["language", "plan", "cancel", "quit"], env={"LANG": "de_DE.UTF-8"})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Backlinks bot sagt dir, wie viele Backlinks"), out[:200]
    assert "Hier gibt es noch keinen Plan." in out
    assert "Hier spreche ich die Sprache, auf die dein Terminal eingestellt ist (LC_ALL, LC_MESSAGES oder LANG)" in out
    assert "App" not in out
    assert "Plan abgebrochen." in out
    assert out.rstrip().endswith("Tschüss. Dein Plan und alle begonnenen Antworten sind gespeichert.")


def test_a_chosen_language_wins_over_the_terminals_and_the_goodbye_follows_it(tmp_path):
    lines = ["language es", "language auto", "language fr", "quit"]
    done = console(tmp_path / "chat.db", lines, env={"LC_ALL": "de_DE.UTF-8", "LANG": "C.UTF-8"})
    out = done.stdout
    assert (
        "Ich folge hier wieder der Sprache, auf die dein Terminal eingestellt ist (LC_ALL, LC_MESSAGES oder LANG)"
        in out
    )
    assert "Désormais, je parle Français ici." in out
    assert "Au revoir" in out.rstrip().splitlines()[-1], out[-300:]


# The yes/no question in each language: its menu, what it understands typed, and the answer shown back.
YES_NO = {
    "de": (
        "Wähle per Nummer oder Name: 1 ja · 2 nein",
        "nein, nicht absichtlich",
        "als nein gelesen",
        "? ja oder nein.",
    ),
    "fr": (
        "Choisissez par numéro ou par nom : 1 oui · 2 non",
        "non, pas exprès",
        "perdus volontairement = non",
        "? oui ou non.",
    ),
    "es": ("Elige por número o nombre: 1 sí · 2 no", "sí, a propósito", "como sí", "? sí o no."),
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_yes_no_question_is_asked_and_answered_in_the_chosen_language(tmp_path, language):
    menu, typed, read_back, prompt = YES_NO[language]
    lines = [typed if question == "lost_on_purpose" else answer for question, answer in TYPED_ANSWERS]
    done = console(tmp_path / "chat.db", [f"language {language}", "plan", *lines, "quit"])
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert menu in out and read_back in out and prompt in out, out
    assert "1 yes · 2 no" not in out and "keine Auswahl" not in out and "n'est pas un choix" not in out


def test_the_yes_no_question_in_english_is_unchanged(tmp_path):
    lines = ["no, natural" if question == "lost_on_purpose" else answer for question, answer in TYPED_ANSWERS]
    done = console(tmp_path / "chat.db", ["plan", *lines, "quit"])
    assert done.returncode == 0, done.stderr
    assert "Choose by number or name: 1 yes · 2 no" in done.stdout
    assert "I read lost on purpose as no." in done.stdout, done.stdout


# `why` in each language: the planner's own terms, a strategy's parameters, figures in its format.
WHY = {
    "de": (
        "Richtwerte für das sichere Tempo: Untergrenze 3, Profilgröße 14, jüngstes Tempo 12, Authority 35 → 35",
        "begrenzt durch die Kapazität",
        "Arbeitsstunden pro Link für die Strategie Gastbeiträge: 6 - Annahme:",
        "Anteil neu gewonnener Links, der innerhalb eines Jahres verloren geht: 0,26 - Quelle:",
        "1: 0,6, 2: 0,8, 3: 1, 4: 1,15, 5: 1,3",
        "Authority 0: 3; Authority 15: 10",
    ),
    "fr": (
        "Repères du rythme sûr : plancher 3, taille du profil 14, rythme récent 12, autorité 35 → 35 par mois",
        "limité par la capacité",
        "heures de travail par lien pour la stratégie articles invités : 6",
        " : 0,26 - ",
        "1 : 0,6, 2 : 0,8, 3 : 1, 4 : 1,15, 5 : 1,3",
        "autorité 0 : 3 ; autorité 15 : 10",
    ),
    "es": (
        "Guías del ritmo seguro: mínimo 3, tamaño del perfil 14, ritmo reciente 12, autoridad 35 → 35 al mes",
        "limitado por la capacidad",
        "horas de trabajo por enlace con la estrategia guest posting: 6",
        ": 0,26 - ",
        "1: 0,6, 2: 0,8, 3: 1, 4: 1,15, 5: 1,3",
        "autoridad 0: 3; autoridad 15: 10",
    ),
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_why_names_the_planners_terms_and_figures_in_the_chosen_language(tmp_path, language):
    done = console(
        tmp_path / "chat.db", [f"language {language}", "plan", *(t for _, t in TYPED_ANSWERS), "why", "quit"]
    )
    assert done.returncode == 0, done.stderr
    why = done.stdout[done.stdout.rindex("example.com\n") :]  # from `why`'s heading on
    for said in WHY[language]:
        assert said in why, said
    for english in (
        "hours of work per link by",
        "authority 0:",
        "(recent)",
        "profile size",
        "limited by",
        "0.26",
        "0.19",
    ):
        assert english not in why, english


# An export refused, and a data provider's key refused, in the real console: what was wrong and the
# file's (or provider's) own name, in each language.
REFUSALS = {
    "de": (
        "fehlt.csv lässt sich nicht öffnen (",
        "Das Format von fremd.csv erkenne ich nicht. Ich lese: Ahrefs backlinks, ",
        "Die erste Zeile war: Wann,Wer",
        "leer.csv ist leer.",
        "ordner ist ein Ordner, keine Exportdatei: gib den Pfad der Datei selbst an. Darin liegen links.csv.",
        "Nicht verbunden: „acme“ ist kein Anbieter, den dieser Bot kennt; nimm einen von: dataforseo, moz.",
        "Nicht verbunden: Ein DataForSEO-Schlüssel besteht aus deinem API-Login und deinem API-Passwort",
        "Nicht verbunden: Das ist nur eine Moz Access ID",
        "Dazu notiert: „no“.",
    ),
    "fr": (
        "Impossible d'ouvrir fehlt.csv (",
        "Je ne reconnais pas le format de fremd.csv. Je lis : Ahrefs backlinks, ",
        "Sa première ligne était : Wann,Wer",
        "leer.csv est vide.",
        "ordner est un dossier, pas un fichier d'export : indiquez le chemin du fichier lui-même.",
        "Il contient links.csv.",
        "Non connecté : « acme » n'est pas un fournisseur que ce bot connaît ; utilisez l'un de ceux-ci : dataforseo",
        "Non connecté : Une clé DataForSEO, c'est votre identifiant API et votre mot de passe API",
        "Non connecté : Ce n'est qu'un Access ID Moz",
        "« no »",
    ),
    "es": (
        "No se puede abrir fehlt.csv (",
        "No reconozco el formato de fremd.csv. Leo: Ahrefs backlinks, ",
        "Su primera línea era: Wann,Wer",
        "leer.csv está vacío.",
        "ordner es una carpeta, no un archivo de exportación: indica la ruta del propio archivo. Contiene links.csv",
        "No conectado: «acme» no es un proveedor que este bot conozca; usa uno de estos: dataforseo, moz.",
        "No conectado: Una clave de DataForSEO es tu usuario de la API y tu contraseña de la API",
        "No conectado: Eso es solo un Access ID de Moz",
        "«no»",
    ),
}


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_import_and_connect_refusals_in_the_real_console_are_in_the_chosen_language(tmp_path, language):
    (tmp_path / "fremd.csv").write_text("Wann,Wer\n1,2\n", encoding="utf-8")
    (tmp_path / "leer.csv").write_bytes(b"")
    (tmp_path / "ordner").mkdir()
    (tmp_path / "ordner" / "links.csv").write_text("x", encoding="utf-8")
    imports = [f"import {tmp_path / name}" for name in ("fehlt.csv", "fremd.csv", "leer.csv", "ordner")]
    connects = ["connect acme a:b", "connect dataforseo nur-ein-wort", "connect moz mozscape-1a2b"]
    lines = [f"language {language}", *imports, *connects, "plan", *(t for _, t in TYPED_ANSWERS), "log 1 no", "quit"]
    done = console(tmp_path / "chat.db", lines)
    assert done.returncode == 0, done.stderr
    for said in REFUSALS[language]:
        assert said in done.stdout, said
    for english in ("can't be opened", "recognise", "is empty", "is a folder", "Not connected", "is not a provider"):
        assert english not in done.stdout, english
