"""The contributory factor framework QMS starts with: the Yorkshire Contributory Factors
Framework.

Source: Lawton R, McEachan RRC, Giles SJ, Sirriyeh R, Watt IS, Wright J. "Development of an
evidence-based framework of factors contributing to patient safety incidents in hospital
settings: a systematic review." BMJ Quality & Safety 2012;21(5):369-380,
doi:10.1136/bmjqs-2011-000443. From 95 papers (83 studies) and 1,676 contributory factors the
review derived 20 domains: active failures and 19 latent factor domains, which the framework's
figure arranges from the situation to the organisation and beyond it (situational factors,
local working conditions, organisational factors, external factors; communication systems and
safety culture run through them). The domain names are the review's; where the Improvement
Academy's pragmatic version of the framework (Yorkshire and Humber Improvement Academy, YCFF
v2) words one more plainly, its wording is in the description.

Each domain carries a system-focused prompt: the analysis form asks what in the system made
the incident more likely, never who. "Individual factors" is asked about the system around the
person (fatigue, training, support, distraction), and "active failures" (slips, lapses,
mistakes, workarounds) about what made the slip easy and what failed to catch it.

Quality leads of a board edit the framework afterwards (planning:framework). Seeding adds only
the domains whose code is not there yet (migration 0002, and the demo on a database a test
emptied), so a domain a quality lead retired or reworded stays as they left it.
"""

SITUATIONAL = "Situational factor"
LOCAL = "Local working conditions"
ORGANISATIONAL = "Organisational factor"
EXTERNAL = "External factor"
THROUGHOUT = "Runs through every level"
ACTIVE = "Active failure"

# (code, name, group, description, prompt), in the framework's order from the situation out.
DOMAINS = [
    (
        "team-factors",
        "Team factors",
        SITUATIONAL,
        "How the team worked together: roles, congruence, support, hand-offs, asking for help.",
        "What about how the team was set up, supported and handed work on made this more likely?",
    ),
    (
        "individual-factors",
        "Individual (staff) factors",
        SITUATIONAL,
        "The conditions around the person: fatigue, stress, experience for the role, "
        "familiarity with the task or equipment, distraction. About the system around the "
        "person, never about who they are.",
        "What about the conditions people worked in (fatigue, distraction, experience for the "
        "task, support available) made this more likely?",
    ),
    (
        "task-characteristics",
        "Task characteristics",
        SITUATIONAL,
        "The task itself: its complexity, its steps, how clear and consistent it is, the "
        "availability of decision aids and test results.",
        "What about the design of the task (its steps, its complexity, the aids available) "
        "made this more likely?",
    ),
    (
        "patient-factors",
        "Patient factors",
        SITUATIONAL,
        "The patient's condition, its complexity and seriousness, their communication and "
        "language, their social circumstances: what the system must be ready for.",
        "What about the patient's needs (condition, communication, circumstances) did the "
        "system not allow for?",
    ),
    (
        "staff-workload",
        "Staff workload",
        LOCAL,
        "Workload and staffing issues: demand against the staff there to meet it, peaks, "
        "interruptions, time pressure.",
        "What about the workload, its peaks and the staff available made this more likely?",
    ),
    (
        "supervision-and-leadership",
        "Supervision and leadership",
        LOCAL,
        "Leadership, supervision and roles on the shift: senior support available, "
        "supervision of less experienced staff, decisions made and communicated.",
        "What about the supervision and senior support available at the time made this more "
        "likely?",
    ),
    (
        "roles-and-responsibilities",
        "Roles and responsibilities",
        LOCAL,
        "Whether each person's role and what they were responsible for were clear and known "
        "to the others.",
        "What about how roles and responsibilities were defined and known made this more likely?",
    ),
    (
        "equipment-and-supplies",
        "Equipment and supplies",
        LOCAL,
        "Drugs, equipment and supplies: availability, working order, maintenance, stock.",
        "What about the availability and condition of equipment, drugs or supplies made this "
        "more likely?",
    ),
    (
        "lines-of-responsibility",
        "Lines of responsibility",
        ORGANISATIONAL,
        "Who is accountable for what across teams and services: clear lines of accountability "
        "and ownership of the process.",
        "Where were the lines of responsibility between teams or services unclear, so that "
        "this fell between them?",
    ),
    (
        "management-of-staff",
        "Management of staff and staffing levels",
        ORGANISATIONAL,
        "How staff are rostered, skill mix, use of temporary staff, staffing levels set by the "
        "organisation.",
        "What about how shifts were rostered, the skill mix and the staffing levels set made "
        "this more likely?",
    ),
    (
        "physical-environment",
        "Physical environment",
        ORGANISATIONAL,
        "The layout, space, lighting, noise and state of the place where care happens.",
        "What about the layout, space, noise, lighting or condition of the place made this "
        "more likely?",
    ),
    (
        "support-from-central-functions",
        "Support from central functions",
        ORGANISATIONAL,
        "Support from the organisation's central services: IT, estates, pharmacy, porters, "
        "laboratories, human resources.",
        "What about the support from central services (IT, estates, pharmacy, porters, "
        "laboratories) made this more likely?",
    ),
    (
        "scheduling-and-bed-management",
        "Scheduling and bed management",
        ORGANISATIONAL,
        "How patients, beds, theatre lists, appointments and transfers are scheduled and "
        "managed; delays and moves.",
        "What about the way work, beds or patient moves were scheduled made this more likely?",
    ),
    (
        "training-and-education",
        "Training and education",
        ORGANISATIONAL,
        "Staff training and education: induction, competence training, availability of "
        "training, its fit to the task.",
        "What training, induction or education did the system not provide, or not make "
        "possible to attend?",
    ),
    (
        "policy-and-procedures",
        "Policy and procedures",
        ORGANISATIONAL,
        "Policies, procedures and guidelines: whether they exist, are current, clear, "
        "available where needed and workable in practice.",
        "What about the policies, procedures or guidelines (missing, unclear, out of date, "
        "hard to find or to follow) made this more likely?",
    ),
    (
        "design-of-equipment-and-supplies",
        "Design of equipment and supplies",
        ORGANISATIONAL,
        "The design of equipment, drugs, supplies and their packaging: look-alike "
        "sound-alike products, interfaces that invite errors.",
        "What about the design of the equipment, drug packaging or supplies made an error "
        "easy to make or hard to notice?",
    ),
    (
        "communication-systems",
        "Communication systems",
        THROUGHOUT,
        "The ways information moves: handover, records, referrals, results, bleeps and "
        "phones, the information systems.",
        "What about the way information was passed on or recorded (handover, notes, results, "
        "referrals) made this more likely?",
    ),
    (
        "safety-culture",
        "Safety culture",
        THROUGHOUT,
        "The priority given to safety, how concerns are raised and heard, learning from "
        "incidents, norms that tolerate workarounds.",
        "What about how safety concerns are raised, heard and acted on here made this more likely?",
    ),
    (
        "external-policy-context",
        "External policy context",
        EXTERNAL,
        "National policy, targets, regulation, commissioning and funding decisions outside the "
        "organisation's control.",
        "What in national policy, targets, regulation or funding outside the organisation made "
        "this more likely?",
    ),
    (
        "active-failures",
        "Active failures (slips, lapses, mistakes, workarounds)",
        ACTIVE,
        "The errors and violations close to the event. Coded to learn what made them easy and "
        "what failed to catch them, never to name the person.",
        "What made the slip, lapse or workaround easy to make, and what in the system could "
        "have caught it?",
    ),
]


def seed_domains(factor_domain) -> int:
    """Add the framework's domains whose code `factor_domain` (the model, or a migration's
    historical model) does not hold yet; the number added."""
    existing = set(factor_domain.objects.values_list("code", flat=True))
    added = 0
    for position, (code, name, group, description, prompt) in enumerate(DOMAINS, start=1):
        if code in existing:
            continue
        factor_domain.objects.create(
            code=code,
            name=name,
            description=f"{group}. {description}",
            prompt=prompt,
            position=position * 10,
            is_active=True,
        )
        added += 1
    return added
