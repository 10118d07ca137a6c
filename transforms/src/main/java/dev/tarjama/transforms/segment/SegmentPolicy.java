package dev.tarjama.transforms.segment;

import dev.tarjama.transforms.domain.TextField;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the segmenter hands to translators and what it keeps verbatim. Immutable; every {@code
 * with…} method returns a copy.
 *
 * <p>Defaults follow SmolKalam: roles {@code system}, {@code user}, {@code assistant} are
 * translated, {@code tool} and {@code function_call} turns are kept; field kinds {@code text},
 * {@code reasoning} and {@code field} are translated, {@code tool_call} parts are kept; the
 * reasoning between {@code <think>} tags is translated (the tags are always kept); every optional
 * {@link SpanType} is protected.
 */
public final class SegmentPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Set<String> translatedRoles;
  private final Set<String> translatedKinds;
  private final boolean translateThink;
  private final EnumSet<SpanType> protectedTypes;

  private SegmentPolicy(
      Set<String> translatedRoles,
      Set<String> translatedKinds,
      boolean translateThink,
      EnumSet<SpanType> protectedTypes) {
    this.translatedRoles = Collections.unmodifiableSet(new TreeSet<>(translatedRoles));
    this.translatedKinds = Collections.unmodifiableSet(new TreeSet<>(translatedKinds));
    this.translateThink = translateThink;
    this.protectedTypes = EnumSet.copyOf(protectedTypes);
  }

  /** The SmolKalam defaults described on the class. */
  public static SegmentPolicy defaults() {
    return new SegmentPolicy(
        Set.of("system", "user", "assistant"),
        Set.of("text", "reasoning", "field"),
        true,
        EnumSet.copyOf(ProtectedSpans.TRANSLATION_DEFAULT));
  }

  /** Only fields of these (normalized) roles are translated. */
  public SegmentPolicy withTranslatedRoles(String... roles) {
    return withTranslatedRoles(Arrays.asList(roles));
  }

  public SegmentPolicy withTranslatedRoles(Collection<String> roles) {
    return new SegmentPolicy(new LinkedHashSet<>(roles), translatedKinds, translateThink,
        protectedTypes);
  }

  /**
   * Only fields of these kinds ({@code text}, {@code reasoning}, {@code tool_call}, {@code field}).
   */
  public SegmentPolicy withTranslatedKinds(String... kinds) {
    return withTranslatedKinds(Arrays.asList(kinds));
  }

  public SegmentPolicy withTranslatedKinds(Collection<String> kinds) {
    return new SegmentPolicy(translatedRoles, new LinkedHashSet<>(kinds), translateThink,
        protectedTypes);
  }

  /** Whether the reasoning between {@code <think>} and {@code </think>} is translated. */
  public SegmentPolicy withTranslateThink(boolean translate) {
    return new SegmentPolicy(translatedRoles, translatedKinds, translate, protectedTypes);
  }

  /**
   * Protects exactly these optional span types; the others are left in the prose for the
   * translator. Think tags and literal placeholders are always protected.
   */
  public SegmentPolicy withProtectedSpanTypes(Collection<SpanType> types) {
    EnumSet<SpanType> set = EnumSet.noneOf(SpanType.class);
    for (SpanType t : types) {
      if (t.scoreOnly()) {
        throw new IllegalArgumentException(
            t.id() + " is an SCR whitelist kind, not a protected span");
      }
      if (t.optional()) {
        set.add(t);
      }
    }
    set.add(SpanType.THINK_TAG);
    set.add(SpanType.PLACEHOLDER);
    return new SegmentPolicy(translatedRoles, translatedKinds, translateThink, set);
  }

  /** Hands these span types to the translator (e.g. {@code MD_EMPHASIS}, {@code INLINE_CODE}). */
  public SegmentPolicy withTranslatedSpanTypes(SpanType... types) {
    EnumSet<SpanType> set = EnumSet.copyOf(protectedTypes);
    for (SpanType t : types) {
      if (!t.optional()) {
        throw new IllegalArgumentException(t.id() + " is always protected");
      }
      set.remove(t);
    }
    return new SegmentPolicy(translatedRoles, translatedKinds, translateThink, set);
  }

  public Set<String> translatedRoles() {
    return translatedRoles;
  }

  public Set<String> translatedKinds() {
    return translatedKinds;
  }

  public boolean translateThink() {
    return translateThink;
  }

  /** The span types the segmenter protects (a copy). */
  public Set<SpanType> protectedSpanTypes() {
    return Collections.unmodifiableSet(EnumSet.copyOf(protectedTypes));
  }

  public boolean protects(SpanType type) {
    return protectedTypes.contains(type);
  }

  /** Whether the field's role and kind are both translated. */
  public boolean translates(TextField field) {
    return translatedRoles.contains(field.role()) && translatedKinds.contains(field.kind());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SegmentPolicy p
        && translateThink == p.translateThink
        && translatedRoles.equals(p.translatedRoles)
        && translatedKinds.equals(p.translatedKinds)
        && protectedTypes.equals(p.protectedTypes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(translatedRoles, translatedKinds, translateThink, protectedTypes);
  }

  @Override
  public String toString() {
    return "SegmentPolicy{roles=" + translatedRoles + ", kinds=" + translatedKinds
        + ", think=" + translateThink + ", protected=" + protectedTypes + "}";
  }
}
