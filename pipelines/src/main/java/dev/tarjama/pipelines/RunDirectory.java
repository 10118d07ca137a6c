package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * A translate run's output directory, as far as finishing a run goes: a marker file says a run
 * started there and has not finished ({@value #UNFINISHED}, written before the pipeline runs,
 * removed once the report is written), and the run's own outputs can be cleared before a run
 * writes them anew, so that a resumed run cannot leave a crashed run's files beside its own (an
 * input record in the outputs twice). The cache folder ({@code _cache/}) and anything else in the
 * directory are left alone. Through Beam FileSystems: local paths and {@code gs://} alike.
 */
final class RunDirectory {
  static final String UNFINISHED = "_unfinished.json";

  /** What a translate run writes, and nothing else: only these are cleared. */
  static final List<String> OUTPUT_FOLDERS =
      List.of("chosen", "candidates", "rejected", "dead_letter", "_summary");

  static final List<String> OUTPUT_FILES = List.of("report.json", "report.md", "README.md");

  private final String dir;

  /** {@code dir} ends with a slash. */
  RunDirectory(String dir) {
    this.dir = dir;
  }

  /** The marker of an unfinished run (when and what it translated), if there is one. */
  Optional<String> unfinished() throws IOException {
    MatchResult match = FileSystems.match(dir + UNFINISHED);
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      return Optional.empty();
    }
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(match.metadata().get(0).resourceId()))) {
      return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
    }
  }

  /** Marks a run as started (and so unfinished until {@link #markFinished}). */
  void markStarted(String input, boolean resumed) throws IOException {
    ObjectNode marker = RecordJson.MAPPER.createObjectNode();
    marker.put("started", Instant.now().toString());
    marker.put("input", input);
    marker.put("resumed", resumed);
    TranslateCommand.writeText(dir + UNFINISHED, marker.toString() + "\n");
  }

  void markFinished() throws IOException {
    FileSystems.delete(
        List.of(FileSystems.matchNewResource(dir + UNFINISHED, false)),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /** Deletes the files a previous run wrote (outputs, temporary files, report). */
  void clearOutputs() throws IOException {
    List<ResourceId> files = new ArrayList<>();
    for (String folder : OUTPUT_FOLDERS) {
      MatchResult match = FileSystems.match(dir + folder + "/**");
      if (match.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata m : match.metadata()) {
          files.add(m.resourceId());
        }
      }
    }
    for (String file : OUTPUT_FILES) {
      files.add(FileSystems.matchNewResource(dir + file, false));
    }
    FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }
}
