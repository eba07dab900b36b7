"""The SVG chart module: accessible, escaped, scaled."""

import re

from umpro import charts


def test_line_chart_has_title_desc_table_and_target():
    html = str(
        charts.line_chart(
            title="Patientèle <Dr X>",
            description="Fin de mois & objectif",
            labels=["01/2026", "02/2026", "03/2026"],
            series=[charts.Series("Liste", [10, 12, 15]), charts.Series("File", [8, None, 9])],
            target=20,
        )
    )
    assert "<title" in html and "Patientèle &lt;Dr X&gt;" in html
    assert "<desc" in html and "Fin de mois &amp; objectif" in html
    assert "<Dr X>" not in html
    assert 'class="chart-target"' in html
    assert html.count("<tr>") == 1 + 3  # header and one row a month
    assert re.search(r'aria-labelledby="chart-\d+-title chart-\d+-desc"', html)
    # The first value sits lower than the last (SVG y grows downwards).
    points = re.search(r'class="chart-line series-1" points="([^"]+)"', html).group(1).split()
    assert float(points[0].split(",")[1]) > float(points[-1].split(",")[1])


def test_bar_chart_draws_gains_up_and_losses_down():
    html = str(
        charts.bar_chart(
            title="Gains", description="d", labels=["a", "b"], gains=[3, 0], losses=[1, 2]
        )
    )
    assert html.count('class="chart-bar chart-gain"') == 1
    assert html.count('class="chart-bar chart-loss"') == 2
    assert "<td>3</td><td>1</td>" in html


def test_sparkline_is_labelled_and_empty_without_values():
    assert 'aria-label="Patientèle"' in str(charts.sparkline([1, 2, 3], label="Patientèle"))
    assert str(charts.sparkline([], label="x")) == ""
