"""The process flow drawn as a Vega-Lite specification (pure: qms.stats.flows)."""

import json

import pytest

from qms.stats.flows import (
    DIAMOND,
    MAX_STEPS,
    ProcessTotals,
    compare_processes,
    process_flow_spec,
    process_totals,
)

STEPS = [
    {"name": "Referral received", "kind": "step", "actor": "Admin", "minutes": 5},
    {"name": "Urgent?", "kind": "decision", "minutes": 2},
    {"name": "Waiting list", "kind": "wait", "minutes": 60},
    {"name": "Assessment", "kind": "step", "actor": "Nurse", "minutes": 30},
    {"name": "Plan agreed", "kind": "step", "minutes": None},
]


def _layer(spec, mark, kind=None):
    for layer in spec["layer"]:
        if layer["mark"]["type"] != mark:
            continue
        test = json.dumps(layer.get("transform", []))
        if kind is None or (f"'{kind}'" in test):
            return layer
    raise AssertionError(f"no {mark} layer")


def test_it_draws_decisions_as_diamonds_and_other_steps_as_boxes():
    spec = process_flow_spec(STEPS)
    diamonds = _layer(spec, "point", "decision")
    assert diamonds["mark"]["shape"] == DIAMOND
    assert "=== 'decision'" in json.dumps(diamonds["transform"])
    boxes = _layer(spec, "rect")
    assert "!== 'decision'" in json.dumps(boxes["transform"])


def test_it_marks_waits_with_a_dashed_border_and_the_word_wait():
    spec = process_flow_spec(STEPS)
    boxes = _layer(spec, "rect")
    assert "wait" in boxes["encoding"]["strokeDash"]["condition"]["test"]
    wait = next(v for v in boxes["data"]["values"] if v["kind"] == "wait")
    assert wait["lines"][0].startswith("Wait: ")


def test_it_places_boxes_in_order_left_to_right_and_wraps_to_a_new_row():
    values = _layer(process_flow_spec(STEPS, per_row=4), "text")["data"]["values"]
    assert [v["order"] for v in values] == [1, 2, 3, 4, 5]
    xs = [v["x"] for v in values]
    ys = [v["y"] for v in values]
    assert xs[0] < xs[1] < xs[2] < xs[3]
    assert ys[0] == ys[3] < ys[4]
    assert xs[4] == xs[0]


def test_it_draws_one_arrow_head_between_each_pair_of_steps():
    spec = process_flow_spec(STEPS, per_row=4)
    heads = spec["layer"][1]["data"]["values"]
    assert len(heads) == len(STEPS) - 1
    # Along a row the heads point right; into the next row, down.
    assert [h["angle"] for h in heads] == [90, 90, 90, 180]


def test_it_describes_the_flow_in_words_for_screen_readers():
    spec = process_flow_spec(STEPS)
    assert "5 steps, 1 decision and 1 wait, 97 minutes" in spec["description"]
    assert "2. Urgent?" in spec["description"]


def test_it_is_json_ready():
    assert json.loads(json.dumps(process_flow_spec(STEPS)))["layer"]


@pytest.mark.parametrize(
    "steps", [[], [{"name": "x"}] * (MAX_STEPS + 1), [{"name": "x", "kind": "loop"}]]
)
def test_it_refuses_no_steps_too_many_or_an_unknown_kind(steps):
    with pytest.raises(ValueError):
        process_flow_spec(steps)


def test_it_counts_the_totals_of_a_process():
    assert process_totals(STEPS) == ProcessTotals(
        steps=5, decisions=1, waits=1, minutes=97, timed=4
    )


def test_it_compares_the_future_process_with_the_current_one_in_words():
    current = ProcessTotals(steps=10, decisions=1, waits=3, minutes=120, timed=10)
    future = ProcessTotals(steps=4, decisions=1, waits=1, minutes=75, timed=4)
    assert compare_processes(current, future) == (
        "The future process has 6 steps fewer, 2 waits fewer and takes 45 minutes less."
    )


def test_it_says_when_a_process_is_missing_or_times_are_partial():
    empty = ProcessTotals(0, 0, 0, 0, 0)
    some = ProcessTotals(2, 0, 0, 10, 1)
    assert "future process" in compare_processes(some, empty)
    assert "partial" in compare_processes(some, ProcessTotals(3, 0, 1, 20, 3))
