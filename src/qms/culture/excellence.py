"""The themes of excellence QMS starts with, which recognition is coded with.

Source: Learning from Excellence (Kelly N, Blake S, Plunkett A. "Learning from excellence in
healthcare: a new approach to incident reporting." Archives of Disease in Childhood
2016;101(9):788-791, doi:10.1136/archdischild-2015-310021), whose reports of excellence were
coded by theme so that what goes well is studied like what goes wrong, and the themes the
Learning from Excellence network's programmes report most (teamwork, communication, kindness
and compassion, going above and beyond, clinical skill, safety, leadership, improvement and
innovation, teaching and learning). The names are plain words for those themes; each has a
description of what belongs in it, so two people code the same report alike.

Quality leads of a board edit the list afterwards (culture:recognition-themes-edit). Seeding
adds only the themes whose code is not there yet (the migration, and the demo on a database a
test emptied), so a theme a quality lead retired or renamed stays as they left it.
"""

# (code, name, description), in the list's order.
THEMES = [
    (
        "teamwork",
        "Teamwork",
        "Working together across roles and shifts: helping out, covering, sharing the load, "
        "joining up care between teams.",
    ),
    (
        "communication",
        "Communication",
        "Clear, timely and kind communication with patients, families and colleagues: "
        "handovers, explanations, speaking up.",
    ),
    (
        "kindness-and-compassion",
        "Kindness and compassion",
        "Care that made a person feel seen and looked after: patient, relative or colleague.",
    ),
    (
        "going-the-extra-mile",
        "Going the extra mile",
        "Doing more than the role asks, to get something right for someone.",
    ),
    (
        "clinical-skill",
        "Clinical skill",
        "Expert assessment, judgement or technique that made a difference to care.",
    ),
    (
        "safety-awareness",
        "Safety awareness",
        "Spotting a risk early, escalating, checking, stopping to make something safe.",
    ),
    (
        "leadership",
        "Leadership",
        "Leading at any level: calm direction, supporting the team, taking a decision when "
        "it was needed.",
    ),
    (
        "improvement-and-innovation",
        "Improvement and innovation",
        "A better way of doing things tried or made to last: a change, a tool, a new idea.",
    ),
    (
        "teaching-and-learning",
        "Teaching and learning",
        "Sharing knowledge and skills: teaching, supervising, supporting a learner.",
    ),
]


def seed_themes(excellence_theme) -> int:
    """Add the default themes whose code `excellence_theme` (the model, or a migration's
    historical model) does not hold yet; the number added."""
    existing = set(excellence_theme.objects.values_list("code", flat=True))
    added = 0
    for position, (code, name, description) in enumerate(THEMES, start=1):
        if code in existing:
            continue
        excellence_theme.objects.create(
            code=code, name=name, description=description, position=position * 10
        )
        added += 1
    return added
