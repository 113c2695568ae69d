"""The insight charts' arithmetic and geometry (assurance/rules/insight.py), without Django."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assurance.rules import insight


def test_it_takes_the_mean_of_counted_levels_to_two_places():
    assert insight.mean_of_counts({1: 1, 2: 1, 3: 1}) == Decimal("2.00")
    assert insight.mean_of_counts({1: 2, 2: 1}) == Decimal("1.33")
    assert insight.mean_of_counts({1: 1, 2: 3, 4: 4}) == Decimal("2.88")  # 23/8 = 2.875, half up


def test_it_has_no_mean_when_nothing_was_counted():
    assert insight.mean_of_counts({}) is None
    assert insight.mean(0, 0) is None
    assert insight.difference(None, Decimal("1")) is None
    assert insight.difference(Decimal("2.54"), Decimal("2.07")) == Decimal("0.47")


def test_bars_are_scaled_so_the_maximum_fills_the_plot():
    chart = insight.bar_chart(
        [("A", [Decimal("2"), Decimal("4")]), ("B", [Decimal("1"), None])],
        ["Self", "Panel"],
        maximum=4,
        ticks=[0, 2, 4],
        left=100,
        plot_width=400,
    )
    a, b = chart.rows
    assert [bar.width for bar in a.bars] == [200.0, 400.0]
    assert all(bar.x == 100.0 for bar in a.bars)
    assert b.bars[0].width == 100.0
    assert b.bars[1].width == 0.0 and b.bars[1].text == "–"
    assert [t.x for t in chart.ticks] == [100.0, 300.0, 500.0]
    assert [t.text for t in chart.ticks] == ["0", "2", "4"]
    # Rows do not overlap: B starts below A's last bar.
    assert b.bars[0].y > a.bars[1].y + a.bars[1].height
    assert chart.bottom >= b.bars[-1].y + b.bars[-1].height


def test_every_bar_says_in_words_which_series_it_is():
    chart = insight.bar_chart(
        [("A", [Decimal("2.5"), Decimal("2")])],
        ["Mean self", "Mean panel"],
        short=["Self", "Panel"],
        maximum=4,
        ticks=[0, 4],
    )
    assert [bar.text for bar in chart.rows[0].bars] == ["Self 2.50", "Panel 2.00"]
    assert [item.label for item in chart.legend] == ["Mean self", "Mean panel"]


def test_a_value_above_the_maximum_is_drawn_to_the_edge_not_beyond():
    chart = insight.bar_chart([("A", [7])], ["x"], maximum=4, ticks=[], plot_width=400)
    assert chart.rows[0].bars[0].width == 400.0
    assert chart.rows[0].bars[0].text == "7"


def test_bar_chart_refuses_a_row_without_a_value_per_series():
    with pytest.raises(ValueError):
        insight.bar_chart([("A", [1])], ["x", "y"], maximum=4, ticks=[])
    with pytest.raises(ValueError):
        insight.bar_chart([("A", [1])], ["x"], maximum=0, ticks=[])


def test_stacked_segments_divide_the_bar_in_proportion():
    chart = insight.stacked_chart(
        [("Board", [3, 78, 71])],
        [("red", "Red"), ("amber", "Amber"), ("green", "Green")],
        left=200,
        plot_width=400,
    )
    (row,) = chart.rows
    assert row.total == 152
    widths = [s.width for s in row.segments]
    assert sum(widths) == pytest.approx(400, abs=0.2)
    assert widths[0] == round(400 * 3 / 152, 1)
    # Each segment starts where the one before ends.
    assert row.segments[0].x == 200.0
    assert row.segments[1].x == pytest.approx(200 + 400 * 3 / 152, abs=0.1)
    # Too narrow for its count: the count is left to the table.
    assert [s.show_text for s in row.segments] == [False, True, True]
    assert [s.label for s in row.segments] == ["Red", "Amber", "Green"]


def test_a_segment_is_named_in_words_where_the_words_fit():
    chart = insight.stacked_chart(
        [("Board", [3, 78, 71])],
        [("red", "Red"), ("amber", "Amber"), ("green", "Green")],
        short=["Red", "Amber", "Green"],
        plot_width=400,
    )
    red, amber, green = chart.rows[0].segments
    assert (amber.text, green.text) == ("Amber 78", "Green 71")
    assert amber.show_text and green.show_text
    assert not red.show_text  # 8 px wide: the table has it
    strategy = insight.stacked_chart(
        [("Strategy", [17, 90, 45])], [("r", "Red"), ("a", "Amber"), ("g", "Green")],
        short=["Red", "Amber", "Green"], plot_width=400,
    ).rows[0].segments[0]  # fmt: skip
    assert (strategy.text, strategy.show_text) == ("17", True)  # 45 px: the count alone
    with pytest.raises(ValueError):
        insight.stacked_chart([("A", [1])], [("x", "X")], short=["x", "y"])


def test_a_count_of_nothing_draws_no_segment():
    chart = insight.stacked_chart([("A", [0, 5]), ("B", [0, 0])], [("x", "X"), ("y", "Y")])
    assert [s.key for s in chart.rows[0].segments] == ["y"]
    assert chart.rows[0].segments[0].width == 400.0
    assert chart.rows[1].segments == () and chart.rows[1].total == 0


def test_a_rank_line_draws_the_best_rank_highest():
    chart = insight.line_chart([("2008/09", 40), ("2009/10", 10)], low=1, high=152, inverted=True)
    first, second = chart.points
    assert second.y < first.y  # rank 10 is better than 40: higher on the chart
    assert first.x < second.x
    assert chart.ticks[0] == (float(chart.top), "1")
    assert chart.path == f"{first.x},{first.y} {second.x},{second.y}"


def test_a_mark_line_draws_the_higher_mark_higher():
    chart = insight.line_chart(
        [("2008/09", Decimal("40")), ("2009/10", Decimal("60"))], low=0, high=100
    )
    first, second = chart.points
    assert second.y < first.y
    assert first.text == "40.00"
    assert chart.ticks == ((float(chart.bottom), "0"), (float(chart.top), "100"))


def test_one_year_is_a_single_point_in_the_middle():
    chart = insight.line_chart([("2008/09", 5)], low=1, high=10, inverted=True, width=300, left=40)
    (point,) = chart.points
    assert chart.left < point.x < chart.width


def test_line_chart_refuses_an_empty_scale():
    with pytest.raises(ValueError):
        insight.line_chart([("2008/09", 1)], low=1, high=1)
