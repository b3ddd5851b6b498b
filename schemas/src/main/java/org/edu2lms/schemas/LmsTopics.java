package org.edu2lms.schemas;

import java.util.List;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.edu2lms.schemas.lms.AcademicTerm;
import org.edu2lms.schemas.lms.Assessment;
import org.edu2lms.schemas.lms.AssessmentSubmission;
import org.edu2lms.schemas.lms.Course;
import org.edu2lms.schemas.lms.CourseEnrollment;
import org.edu2lms.schemas.lms.CourseInstructor;
import org.edu2lms.schemas.lms.CourseMaterial;
import org.edu2lms.schemas.lms.CourseOffering;
import org.edu2lms.schemas.lms.FileUpload;
import org.edu2lms.schemas.lms.Grade;
import org.edu2lms.schemas.lms.OrganizationUnit;
import org.edu2lms.schemas.lms.Person;
import org.edu2lms.schemas.lms.QuarantineRecord;
import org.edu2lms.schemas.lms.StaffMember;
import org.edu2lms.schemas.lms.Student;
import org.edu2lms.schemas.lms.User;

/**
 * The output topics of the transform (architecture.md): {@code lms.<table>} carries, per LMS row,
 * its latest value (Avro single-object encoding) or a tombstone, keyed by the row's UUID string;
 * {@code edu2lms.quarantine} carries, per quarantined EDU row, why it is not in LMS, keyed by
 * {@link #quarantineKey}. All are compacted: the topics are the desired LMS state.
 */
public final class LmsTopics {

  /** lms.users, key = UUID of {@code users:<id>}. */
  public static final Topic<String, User> USERS = lms("users", User.class, User.getEncoder(), User.getDecoder());

  /** lms.persons, key = UUID of {@code persons:<id>}. */
  public static final Topic<String, Person> PERSONS = lms("persons", Person.class, Person.getEncoder(), Person.getDecoder());

  /** lms.organization_units, key = UUID of {@code organizations:<id>}. */
  public static final Topic<String, OrganizationUnit> ORGANIZATION_UNITS = lms("organization_units", OrganizationUnit.class, OrganizationUnit.getEncoder(), OrganizationUnit.getDecoder());

  /** lms.students, key = UUID of {@code students:<id>}. */
  public static final Topic<String, Student> STUDENTS = lms("students", Student.class, Student.getEncoder(), Student.getDecoder());

  /** lms.staff_members, key = UUID of {@code teachers:<id>}. */
  public static final Topic<String, StaffMember> STAFF_MEMBERS = lms("staff_members", StaffMember.class, StaffMember.getEncoder(), StaffMember.getDecoder());

  /** lms.academic_terms, key = UUID of {@code term:&lt;edu_year_id&gt;:&lt;semester_id&gt;}. */
  public static final Topic<String, AcademicTerm> ACADEMIC_TERMS = lms("academic_terms", AcademicTerm.class, AcademicTerm.getEncoder(), AcademicTerm.getDecoder());

  /** lms.courses, key = UUID of {@code education_plan_subject:<id>}. */
  public static final Topic<String, Course> COURSES = lms("courses", Course.class, Course.getEncoder(), Course.getDecoder());

  /** lms.course_offerings, key = UUID of {@code course:<id>}. */
  public static final Topic<String, CourseOffering> COURSE_OFFERINGS = lms("course_offerings", CourseOffering.class, CourseOffering.getEncoder(), CourseOffering.getDecoder());

  /** lms.course_instructors, key = UUID of {@code course_teacher:<id>}. */
  public static final Topic<String, CourseInstructor> COURSE_INSTRUCTORS = lms("course_instructors", CourseInstructor.class, CourseInstructor.getEncoder(), CourseInstructor.getDecoder());

  /** lms.course_enrollments, key = UUID of {@code journal:<id>}. */
  public static final Topic<String, CourseEnrollment> COURSE_ENROLLMENTS = lms("course_enrollments", CourseEnrollment.class, CourseEnrollment.getEncoder(), CourseEnrollment.getDecoder());

  /** lms.assessments, key = UUID of {@code exam:&lt;id&gt; or component:&lt;course.id&gt;:&lt;n&gt;}. */
  public static final Topic<String, Assessment> ASSESSMENTS = lms("assessments", Assessment.class, Assessment.getEncoder(), Assessment.getDecoder());

  /** lms.assessment_submissions, key = UUID of {@code exam_result:<id>}. */
  public static final Topic<String, AssessmentSubmission> ASSESSMENT_SUBMISSIONS = lms("assessment_submissions", AssessmentSubmission.class, AssessmentSubmission.getEncoder(), AssessmentSubmission.getDecoder());

  /** lms.grades, key = UUID of {@code journal_details:&lt;id&gt;:&lt;n&gt;}. */
  public static final Topic<String, Grade> GRADES = lms("grades", Grade.class, Grade.getEncoder(), Grade.getDecoder());

  /** lms.file_uploads, key = UUID of {@code files:<id>}. */
  public static final Topic<String, FileUpload> FILE_UPLOADS = lms("file_uploads", FileUpload.class, FileUpload.getEncoder(), FileUpload.getDecoder());

  /** lms.course_materials, key = UUID of {@code course_meeting_topic_file:<id>}. */
  public static final Topic<String, CourseMaterial> COURSE_MATERIALS = lms("course_materials", CourseMaterial.class, CourseMaterial.getEncoder(), CourseMaterial.getDecoder());

  /** edu2lms.quarantine, key = {@code <source_table>:<source_id>:<component>}. */
  public static final Topic<String, QuarantineRecord> QUARANTINE =
      new Topic<>(
          "edu2lms.quarantine",
          Serdes.String(),
          new AvroSerde<>(QuarantineRecord.class, QuarantineRecord.getEncoder(), QuarantineRecord.getDecoder()));

  /**
   * edu2lms.data_quality_notes, key = {@code <source_table>:<source_id>:<component>} as for the
   * quarantine; value = the comma-separated data-quality notes of an accepted row (mapping.md
   * §Reason codes: unparseable dates, soft references set to NULL), a tombstone when it has none.
   */
  public static final Topic<String, String> NOTES =
      new Topic<>("edu2lms.data_quality_notes", Serdes.String(), Serdes.String());

  /**
   * edu2lms.heartbeat, key = the heartbeat row's id ({@code 1}); value = the EDU transaction time
   * of the heartbeat (ISO-8601 instant, microseconds, UTC), produced by the transform from {@code
   * edu.public.edu2lms_heartbeat} and recorded by the sink in LMS {@code edu2lms.heartbeat}, so
   * end-to-end freshness is measured through every stage. Compacted. Not part of {@link #ALL}.
   */
  public static final Topic<String, String> HEARTBEAT = new Topic<>("edu2lms.heartbeat", Serdes.String(), Serdes.String());

  /**
   * The sink's dead-letter topic: a record of an lms.*, quarantine or notes topic that the sink
   * cannot decode (or that the LMS rejects for a reason other than an in-flight counterpart) is
   * copied here byte for byte, key and value, with the error in headers ({@link #DLT_HEADER_PREFIX}
   * {@code error.class}, {@code error.message}, {@code source.topic}, {@code source.partition},
   * {@code source.offset}) and counted. Not compacted: every failure is kept. Not part of
   * {@link #ALL}.
   */
  public static final String DEAD_LETTER = "edu2lms.sink.dead_letter";

  /** Prefix of the headers the sink adds to a dead-letter record. */
  public static final String DLT_HEADER_PREFIX = "edu2lms.";

  /** Every output topic: the 15 LMS tables in lms.md order, then the quarantine and the notes. */
  public static final List<Topic<String, ?>> ALL =
      List.of(USERS,
          PERSONS,
          ORGANIZATION_UNITS,
          STUDENTS,
          STAFF_MEMBERS,
          ACADEMIC_TERMS,
          COURSES,
          COURSE_OFFERINGS,
          COURSE_INSTRUCTORS,
          COURSE_ENROLLMENTS,
          ASSESSMENTS,
          ASSESSMENT_SUBMISSIONS,
          GRADES,
          FILE_UPLOADS,
          COURSE_MATERIALS, QUARANTINE, NOTES);

  private LmsTopics() {}

  private static <T extends SpecificRecord> Topic<String, T> lms(
      String table, Class<T> type, BinaryMessageEncoder<T> encoder, BinaryMessageDecoder<T> decoder) {
    return new Topic<>("lms." + table, Serdes.String(), new AvroSerde<>(type, encoder, decoder));
  }

  /**
   * The key of a quarantine record: {@code <source_table>:<source_id>:<component>}.
   *
   * @param component 1..3 for a journal_details mark, else 0 (lms.md §edu2lms.quarantine)
   */
  public static String quarantineKey(String sourceTable, long sourceId, int component) {
    return sourceTable + ":" + sourceId + ":" + component;
  }
}
