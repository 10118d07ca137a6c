package dev.tarjama.transforms.quality;

import java.util.Objects;

/**
 * What a signal sees of a candidate: the record's split and the translated prose of source and
 * target (every translated field's chunks in record order, joined by line breaks; protected spans
 * removed).
 */
public record QualityInput(String split, String source, String target) {
  public QualityInput {
    Objects.requireNonNull(split);
    Objects.requireNonNull(source);
    Objects.requireNonNull(target);
  }
}
