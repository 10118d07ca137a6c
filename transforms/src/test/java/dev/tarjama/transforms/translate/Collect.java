package dev.tarjama.transforms.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Keeps a PCollection's elements in this JVM under a name, for assertions that need the pipeline
 * to have finished first (e.g. against a server's request log). In-process runners only.
 */
final class Collect<T> extends PTransform<PCollection<T>, PDone> {
  private static final Map<String, List<Object>> KEPT = new ConcurrentHashMap<>();

  private final String name;

  private Collect(String name) {
    this.name = name;
  }

  static <T> Collect<T> into(String name) {
    KEPT.put(name, java.util.Collections.synchronizedList(new ArrayList<>()));
    return new Collect<>(name);
  }

  /** What was kept under {@code name}; forgets it. */
  @SuppressWarnings("unchecked")
  static <T> List<T> drain(String name) {
    List<Object> kept = KEPT.remove(name);
    synchronized (kept) {
      return (List<T>) new ArrayList<>(kept);
    }
  }

  @Override
  public PDone expand(PCollection<T> input) {
    input.apply(ParDo.of(new KeepFn<>(name)));
    return PDone.in(input.getPipeline());
  }

  private static final class KeepFn<T> extends DoFn<T, Void> {
    private final String name;

    KeepFn(String name) {
      this.name = name;
    }

    @ProcessElement
    public void process(@Element T element) {
      KEPT.get(name).add(element);
    }
  }
}
