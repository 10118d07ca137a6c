package dev.tarjama.transforms.domain;

import java.util.List;

/** How to rebuild field {@code fieldIndex} of a conversation from verbatim parts and chunks. */
public record FieldPlan(int fieldIndex, List<PlanPart> parts) {
  public FieldPlan {
    parts = List.copyOf(parts);
  }

  @Override
  public String toString() {
    return "FieldPlan{" + fieldIndex + ", " + parts + "}";
  }
}
