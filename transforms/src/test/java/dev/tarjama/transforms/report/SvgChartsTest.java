package dev.tarjama.transforms.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

class SvgChartsTest {
  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new InputSource(new StringReader(svg)));
  }

  @Test
  void histogramIsWellFormedSvgWithOneBarPerBucketAndSeries() throws Exception {
    double[] edges = {0.0, 0.5};
    String svg = SvgCharts.histogram("LR — <split>", "LR", 0.5, List.of(
        new SvgCharts.Series("a&b", edges, new long[] {3, 1}),
        new SvgCharts.Series("c", edges, new long[] {0, 2})));
    Document doc = parse(svg);
    assertEquals("svg", doc.getDocumentElement().getTagName());
    assertEquals("plot", doc.getDocumentElement().getAttribute("class"));
    assertEquals(4, doc.getElementsByTagName("rect").getLength() - 2, "4 bars + 2 legend boxes");
    assertTrue(svg.contains("LR — &lt;split&gt;"), svg);
    assertTrue(svg.contains("a&amp;b (4)"), "legend names the series and its total: " + svg);
    // 3 of 4 candidates in the first bucket: 75%.
    assertTrue(svg.contains("a&amp;b: 0–0.50: 3 (75.0%)"), svg);
  }

  @Test
  void linesAndBarsAreWellFormedEvenWhenEmpty() throws Exception {
    parse(SvgCharts.lines("t", "s", "n", List.of()));
    parse(SvgCharts.bars("none", List.of()));
    String svg = SvgCharts.lines("Done", "seconds", "count", List.of(
        new SvgCharts.Line("records", new double[] {0, 1, 2}, new double[] {0, 5, 9})));
    Document doc = parse(svg);
    String points = doc.getElementsByTagName("polyline").item(0).getAttributes()
        .getNamedItem("points").getNodeValue();
    assertEquals(3, points.split(" ").length, points);
    String bars = SvgCharts.bars("Gates", List.of(new SvgCharts.Bar("news: copy", 0.5, "1 of 2")));
    assertTrue(bars.contains("50.0% 1 of 2"), bars);
    parse(bars);
  }

  @Test
  void escapeLeavesNoMarkupAndDropsControlCharacters() {
    String s = SvgCharts.escape("<script>alert('x')</script>&\"\u0001\n");
    assertFalse(s.contains("<") || s.contains(">") || s.contains("'") || s.contains("\u0001"), s);
    assertEquals("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\n", s);
  }
}
