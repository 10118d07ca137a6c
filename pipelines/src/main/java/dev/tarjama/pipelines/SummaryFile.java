package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.report.RunStatistics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/** Reads back the JSON summaries a pipeline wrote under {@code _summary/}, for its report. */
final class SummaryFile {
  private SummaryFile() {}

  /** One summary (an empty object when none). */
  static JsonNode read(String summaryPrefix) throws IOException {
    MatchResult match = FileSystems.match(summaryPrefix + ".json");
    if (match.status() == MatchResult.Status.OK && !match.metadata().isEmpty()) {
      try (InputStream in =
          Channels.newInputStream(FileSystems.open(match.metadata().get(0).resourceId()))) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!text.isEmpty()) {
          return RecordJson.parse(text);
        }
      }
    }
    return RecordJson.MAPPER.createObjectNode();
  }

  /** The run's statistics ({@code SummarizeRun}, {@code SummarizeJudgement}); it must exist. */
  static RunStatistics statistics(String summaryPrefix) throws IOException {
    MatchResult match = FileSystems.match(summaryPrefix + ".json");
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      throw new IOException("the run wrote no summary at " + summaryPrefix);
    }
    String text;
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(match.metadata().get(0).resourceId()))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    return text.isEmpty() ? RunStatistics.empty() : RunStatistics.parse(text);
  }
}
