"""Quality control's icons cover every code the engine gives, in the Making Data Count colours."""

from qms.control import icons
from qms.stats import mdc


def test_it_has_an_icon_for_every_code_the_engine_gives():
    assert set(icons.VARIATION) == set(mdc.VARIATION_ICONS)
    assert set(icons.ASSURANCE) == set(mdc.ASSURANCE_ICONS)


def test_it_colours_each_icon_as_the_chart_colours_its_points():
    assert icons.VARIATION["concern_low"].colour == mdc.POINT_TYPE_COLOURS["special_cause_concern"]
    assert icons.ASSURANCE["pass"].colour == mdc.BLUE
    assert all(icon.ink for icon in [*icons.VARIATION.values(), *icons.ASSURANCE.values()])


def test_it_places_every_variation_icon_in_one_row_of_the_matrix():
    placed = [code for codes in icons.VARIATION_CODES.values() for code in codes]
    assert sorted(placed) == sorted(mdc.VARIATION_ICONS)


def test_it_falls_back_to_no_icon_for_an_unknown_or_missing_code():
    assert icons.variation_icon(None).code == "none"
    assert icons.assurance_icon("retired-code").code == "none"
