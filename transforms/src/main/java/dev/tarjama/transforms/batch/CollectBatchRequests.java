package dev.tarjama.transforms.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.CacheLookup;
import dev.tarjama.transforms.backend.ChunkAnswers;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import java.util.List;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The batch phase's first pass: for each batch backend, the distinct chunk texts that its cache
 * lookup misses ({@link CacheLookup}: the same keys as the translate pass), written one JSON
 * string per line to {@code DIR/NAME/needed*.jsonl}, for the launcher to send as batch lines.
 *
 * <p>Input: every chunk of the run (before deduplication: {@link Distinct} does it here). Output:
 * the files. Failures: a cache that cannot be opened fails the pipeline, as in the translate pass.
 */
public final class CollectBatchRequests extends PTransform<PCollection<Chunk>, PDone> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<BackendSpec> backends;
  private final String cacheUri;
  private final String dir;

  private CollectBatchRequests(List<BackendSpec> backends, String cacheUri, String dir) {
    this.backends = backends;
    this.cacheUri = cacheUri;
    this.dir = dir.endsWith("/") ? dir : dir + "/";
  }

  /** The misses of every batch backend among {@code backends}, under {@code dir}. */
  public static CollectBatchRequests of(List<BackendSpec> backends, String cacheUri, String dir) {
    return new CollectBatchRequests(
        backends.stream().filter(BackendSpec::isBatch).toList(), cacheUri, dir);
  }

  /** Where a backend's needed texts are written, as a glob. */
  public static String neededGlob(String dir, String backendName) {
    return (dir.endsWith("/") ? dir : dir + "/") + backendName + "/needed*.jsonl";
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("backends",
        String.join(",", backends.stream().map(BackendSpec::label).toList()))
        .withLabel("Batch backends (labels)"));
    builder.add(DisplayData.item("cache", DisplayValues.withoutCredentials(cacheUri))
        .withLabel("Cache"));
    builder.add(DisplayData.item("requests", dir).withLabel("Batch request folder"));
  }

  @Override
  public PDone expand(PCollection<Chunk> chunks) {
    for (BackendSpec backend : backends) {
      CacheLookup<Chunk, ChunkTranslation> lookup =
          CacheLookup.of(ChunkAnswers.of(backend), cacheUri);
      chunks
          .apply("Look up " + backend.name(), lookup)
          .get(lookup.misses())
          .apply("Texts of " + backend.name(),
              MapElements.into(TypeDescriptors.strings()).via((Chunk c) -> c.text()))
          .apply("Distinct texts of " + backend.name(), Distinct.create())
          .apply("As JSON " + backend.name(),
              MapElements.into(TypeDescriptors.strings()).via(CollectBatchRequests::json))
          .apply("Write needed " + backend.name(),
              TextIO.write().to(dir + backend.name() + "/needed").withSuffix(".jsonl")
                  .withoutSharding());
    }
    return PDone.in(chunks.getPipeline());
  }

  private static String json(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads one needed line back. */
  public static String text(String line) {
    try {
      return JSON.readValue(line, String.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a needed-text line: " + line, e);
    }
  }
}
