package org.edu2lms.transform.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.edu2lms.schemas.LegacyIds;
import org.edu2lms.schemas.lms.OrganizationUnit;
import org.edu2lms.transform.serde.EduRow;

/** LMS organization_units ← EDU organizations (mapping.md §organization_units). */
public final class OrganizationMapping {

  /** The derived column holding the name label (JSON text) once joined with dictionaries. */
  public static final String NAME = "_name";

  /** The derived column set when the parent organization exists and is mappable. */
  public static final String PARENT = "_parent";

  private static final String[] UNIT_TYPES = {"university", "faculty", "department", "program", "other"};

  private OrganizationMapping() {}

  /** Whether the organization maps at all: its name label (dictionaries row) exists. */
  public static boolean isMappable(EduRow organization) {
    JsonNode name = organization.row().get(NAME);
    return name != null && !name.isNull();
  }

  /** The parent's EDU id, or {@code null} for a root ({@code parent_id} NULL or 0). */
  public static Long parentId(JsonNode row) {
    Long parent = Rows.longValue(row, "parent_id");
    return parent == null || parent == 0L ? null : parent;
  }

  /**
   * Maps one organizations row already joined with its name label ({@link #NAME}).
   *
   * @param organization the organizations row with {@link #NAME} set (JSON null when the
   *     dictionaries row is missing)
   *     and {@link #PARENT} (set when the parent exists and is mappable; a soft reference, so a
   *     missing parent is written as NULL with a data-quality note)
   * @return the LMS unit, or quarantine {@code missing_parent:dictionaries}
   */
  public static MappingResult<OrganizationUnit> map(EduRow organization) {
    JsonNode row = organization.row();
    long lsn = organization.lsn();
    JsonNode parent = row.get(PARENT);
    if (!isMappable(organization)) {
      return MappingResult.quarantine(
          "missing_parent:dictionaries", "name dic_id " + Rows.longValue(row, "dic_id") + " does not exist", lsn);
    }
    List<String> notes = new ArrayList<>(1);
    Long parentId = parentId(row);
    String parentUuid = null;
    if (parentId != null) {
      if (parent != null && !parent.isNull()) {
        parentUuid = LegacyIds.forRow("organizations", parentId).toString();
      } else {
        notes.add("soft_reference_null:parent_id");
      }
    }
    Long type = Rows.longValue(row, "type_id");
    String unitType = type != null && type >= 1 && type <= 5 ? UNIT_TYPES[type.intValue() - 1] : "other";
    long id = Rows.id(row);
    OrganizationUnit out =
        OrganizationUnit.newBuilder()
            .setId(LegacyIds.forRow("organizations", id).toString())
            .setLegacyId(id)
            .setParentId(parentUuid)
            .setUnitType(unitType)
            .setName(row.get(NAME).asText())
            .setCode(Texts.clean(Rows.text(row, "code")))
            .setIsActive(Rows.flag(row, "active"))
            .setSourceLsn(lsn)
            .build();
    return MappingResult.ok(out, lsn, notes);
  }
}
