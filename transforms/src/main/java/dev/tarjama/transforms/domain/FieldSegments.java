package dev.tarjama.transforms.domain;

import java.util.List;

/** The pieces of one {@link TextField} ({@code fieldIndex} into {@link Conversation#fields}). */
public record FieldSegments(int fieldIndex, List<Piece> pieces) {
  public FieldSegments {
    pieces = List.copyOf(pieces);
  }

  @Override
  public String toString() {
    return "FieldSegments{" + fieldIndex + ", " + pieces + "}";
  }
}
