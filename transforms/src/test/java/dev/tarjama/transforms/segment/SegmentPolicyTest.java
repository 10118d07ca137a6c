package dev.tarjama.transforms.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.TextField;
import java.util.EnumSet;
import java.util.Set;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;

class SegmentPolicyTest {

  private static TextField field(String role, String kind) {
    return new TextField("/x", role, kind, "Hello");
  }

  @Test
  void defaultsTranslateConversationTextButNotToolsOrToolCalls() {
    SegmentPolicy p = SegmentPolicy.defaults();
    assertEquals(Set.of("system", "user", "assistant"), p.translatedRoles());
    assertEquals(Set.of("text", "reasoning", "field"), p.translatedKinds());
    assertTrue(p.translates(field("assistant", "reasoning")));
    assertFalse(p.translates(field("tool", "text")));
    assertFalse(p.translates(field("function_call", "text")));
    assertFalse(p.translates(field("assistant", "tool_call")));
    assertTrue(p.translateThink());
    for (SpanType t : SpanType.values()) {
      assertEquals(!t.scoreOnly() && (t.optional() || t == SpanType.THINK_TAG
          || t == SpanType.PLACEHOLDER), p.protects(t), t.id());
    }
  }

  @Test
  void withMethodsReturnCopies() {
    SegmentPolicy defaults = SegmentPolicy.defaults();
    SegmentPolicy systemOnly = defaults.withTranslatedRoles("system");
    assertEquals(Set.of("system"), systemOnly.translatedRoles());
    assertEquals(Set.of("system", "user", "assistant"), defaults.translatedRoles());
    assertNotEquals(defaults, systemOnly);
    assertEquals(defaults, SegmentPolicy.defaults());

    SegmentPolicy loose = defaults.withTranslatedSpanTypes(SpanType.MD_EMPHASIS);
    assertFalse(loose.protects(SpanType.MD_EMPHASIS));
    assertTrue(defaults.protects(SpanType.MD_EMPHASIS));

    SegmentPolicy codeOnly = defaults.withProtectedSpanTypes(EnumSet.of(SpanType.CODE_FENCE));
    assertTrue(codeOnly.protects(SpanType.CODE_FENCE));
    assertTrue(codeOnly.protects(SpanType.THINK_TAG));
    assertFalse(codeOnly.protects(SpanType.URL));
    assertEquals(EnumSet.of(SpanType.CODE_FENCE, SpanType.THINK_TAG, SpanType.PLACEHOLDER),
        codeOnly.protectedSpanTypes());
    assertFalse(defaults.withTranslateThink(false).translateThink());
    assertTrue(defaults.withTranslatedKinds("text", "tool_call")
        .translates(field("assistant", "tool_call")));
  }

  @Test
  void thinkTagsStayProtectedAndScoreOnlyKindsAreNotSpans() {
    SegmentPolicy p = SegmentPolicy.defaults();
    assertThrows(IllegalArgumentException.class, () -> p.withTranslatedSpanTypes(SpanType.THINK_TAG));
    assertThrows(IllegalArgumentException.class,
        () -> p.withProtectedSpanTypes(EnumSet.of(SpanType.CHEM_FORMULA)));
    assertEquals(SpanType.MD_TABLE, SpanType.fromId("md_table"));
    assertThrows(IllegalArgumentException.class, () -> SpanType.fromId("nope"));
  }

  @Test
  void survivesJavaSerializationAsDoFnsDo() {
    SegmentPolicy p = SegmentPolicy.defaults().withTranslatedRoles("user")
        .withTranslatedSpanTypes(SpanType.INLINE_CODE).withTranslateThink(false);
    assertEquals(p, SerializableUtils.clone(p));
  }
}
