package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.testing.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html of a real run, opened in headless Chromium (Debian's {@code chromium}): no console
 * error, exception or blocked load from the page's opening on, every plot of the file rendered
 * with a size, no script at all in the page (the candidate holding one shows it as text), and
 * nothing fetched. In the README's test command ({@code -P flink-cluster} runs every tag), which
 * installs chromium when missing.
 */
@Tag("chromium")
class ReportHtmlChromiumTest {
  @Test
  void theReportRendersEveryPlotWithoutAConsoleError(@TempDir Path tmp) throws Exception {
    assertTrue(HeadlessChromium.installed(),
        "chromium is missing: apt-get install -y chromium (the README's test command does)");
    try (FakeOpenAiServer server = ReportHtmlCommandTest.server()) {
      Path out = ReportHtmlCommandTest.run(tmp, server);
      Path html = out.resolve("report.html");
      int inFile = ReportHtmlCommandTest.count(Files.readString(html), "<svg[ >]");
      assertTrue(inFile >= 6, "plots in the file: " + inFile);
      try (HeadlessChromium chromium = HeadlessChromium.start()) {
        chromium.open(html.toUri().toString());
        assertEquals(inFile, chromium.evaluate(
            "[...document.querySelectorAll('svg')].filter(s => { const r ="
                + " s.getBoundingClientRect(); return r.width > 50 && r.height > 50; }).length")
            .asInt(), "every plot rendered with a size");
        assertEquals(0, chromium.evaluate("document.scripts.length").asInt());
        assertTrue(chromium.evaluate("document.body.innerText").asText()
            .contains("console.error('candidate text ran')"), "the candidate's script is text");
        assertEquals(0, chromium.evaluate(
            "performance.getEntriesByType('resource').length").asInt(), "nothing fetched");
        assertEquals(java.util.List.of(), chromium.errors());
      }
    }
  }
}
