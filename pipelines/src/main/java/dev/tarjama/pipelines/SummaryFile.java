package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/** One JSON summary a pipeline wrote under {@code _summary/} (an empty object when none). */
final class SummaryFile {
  private SummaryFile() {}

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
}
