package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/** The first dead letters of a finished run, as one line each, for the console. */
public final class DeadLetterReasons {
  private DeadLetterReasons() {}

  /** Up to {@code n} lines "RECORD (STAGE FIELD): ERROR" from {@code output}'s dead_letter/. */
  /** report.md's line of dead letters per stage ({@code stages}: stage → count), if any. */
  static void byStage(StringBuilder md, com.fasterxml.jackson.databind.JsonNode stages) {
    if (stages.size() > 0) {
      md.append("Dead letters by stage: ");
      stages.fields().forEachRemaining(
          e -> md.append(e.getKey()).append(' ').append(e.getValue().asLong()).append("; "));
      md.append("\n\n");
    }
  }

  public static List<String> first(String output, int n) throws IOException {
    List<String> reasons = new ArrayList<>();
    MatchResult match = FileSystems.match(output + "dead_letter/*");
    if (match.status() != MatchResult.Status.OK) {
      return reasons;
    }
    for (MatchResult.Metadata file : match.metadata()) {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(
                  Channels.newInputStream(FileSystems.open(file.resourceId())),
                  StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null && reasons.size() < n;
            line = in.readLine()) {
          JsonNode d;
          try {
            d = RecordJson.MAPPER.readTree(line);
          } catch (IOException e) {
            continue; // not a JSON line: say what the others say
          }
          String error = d.path("error").asText();
          reasons.add(d.path("record_id").asText() + " (" + d.path("stage").asText()
              + (d.path("field").asText("").isEmpty() ? "" : " " + d.path("field").asText())
              + "): " + (error.length() > 300 ? error.substring(0, 300) + "…" : error));
        }
      }
      if (reasons.size() >= n) {
        break;
      }
    }
    return reasons;
  }
}
