package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.OutputLayout;
import dev.tarjama.transforms.io.RecordJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;

/**
 * A translate run's output directory, as far as finishing a run goes: a marker file says a run
 * started there and has not finished ({@value #UNFINISHED}, written before the pipeline runs,
 * removed once the report is written and the counts add up), and the run's own outputs can be
 * cleared before a run writes them anew, so that a rerun or resumed run cannot leave an earlier
 * run's files beside its own (an input record in the outputs twice, old preferences, files of
 * another sharding). The cache folder ({@code _cache/}) and anything else not in {@link
 * OutputLayout#TRANSLATE} are left alone. Through Beam FileSystems: local paths and {@code gs://} alike.
 */
final class RunDirectory {
  static final String UNFINISHED = "_unfinished.json";

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

  /**
   * Deletes what a previous run wrote (every folder and file of {@link OutputLayout#TRANSLATE},
   * temporary files included), so that the new run's outputs replace them as a whole.
   */
  void clearOutputs() throws IOException {
    OutputLayout.TRANSLATE.clear(dir);
  }
}
