package dev.tarjama.transforms.domain;

import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * The key reassembly groups on: one full translated record per record ({@link RecordKey#id()}),
 * backend label and candidate index. Typed, with a deterministic coder, so that no separator has
 * to be kept out of record ids or backend names.
 */
@DefaultCoder(ModelCoders.CandidateKeyCoder.class)
public record CandidateKey(String recordId, String backend, int candidate) {
  public CandidateKey {
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(backend, "backend");
  }

  @Override
  public String toString() {
    return recordId + " " + backend + "/" + candidate;
  }
}
