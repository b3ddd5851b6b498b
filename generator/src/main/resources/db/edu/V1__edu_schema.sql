-- The legacy EDU schema, exactly as ../shared/spec/edu.md: bigint ids, no foreign keys,
-- dates kept as text, labels in one dictionaries table, grades packed three to a row.

CREATE TABLE dictionaries (
  id      int8 PRIMARY KEY,
  type_id int2,
  name_az text,
  name_en text,
  name_ru text,
  active  int2
);

CREATE TABLE points (
  id    int8 PRIMARY KEY,
  value numeric(5,2),
  code  varchar(8)
);

CREATE TABLE edu_years (
  id         int8 PRIMARY KEY,
  name       varchar(9),
  start_date text,
  end_date   text
);

CREATE TABLE semesters (
  id     int8 PRIMARY KEY,
  dic_id int8,
  code   int2
);

CREATE TABLE users (
  id          int8 PRIMARY KEY,
  username    varchar(64),
  email       varchar(255),
  password    varchar(100),
  active      int2,
  create_date text,
  update_date text
);

CREATE TABLE persons (
  id         int8 PRIMARY KEY,
  user_id    int8,
  firstname  varchar(100),
  lastname   varchar(100),
  patronymic varchar(100),
  birthdate  text,
  gender     int2,
  pincode    varchar(7)
);

CREATE TABLE organizations (
  id        int8 PRIMARY KEY,
  parent_id int8,
  dic_id    int8,
  type_id   int2,
  code      varchar(32),
  active    int2
);

CREATE TABLE students (
  id             int8 PRIMARY KEY,
  person_id      int8,
  org_id         int8,
  card_number    varchar(20),
  status         int2,
  admission_year int4,
  edu_plan_id    int8,
  create_date    text
);

CREATE TABLE teachers (
  id              int8 PRIMARY KEY,
  person_id       int8,
  org_id          int8,
  position_dic_id int8,
  status          int2,
  create_date     text
);

CREATE TABLE education_plan (
  id          int8 PRIMARY KEY,
  org_id      int8,
  edu_year_id int8,
  name        text,
  active      int2
);

CREATE TABLE education_plan_subject (
  id                int8 PRIMARY KEY,
  education_plan_id int8,
  subject_dic_id    int8,
  code              varchar(32),
  credit            numeric(4,1),
  hours             int4,
  semester_no       int2
);

CREATE TABLE course (
  id                        int8 PRIMARY KEY,
  education_plan_subject_id int8,
  edu_year_id               int8,
  semester_id               int8,
  language_id               int8,
  group_name                varchar(32),
  student_limit             int4,
  active                    int2,
  create_date               text
);

CREATE TABLE course_teacher (
  id          int8 PRIMARY KEY,
  course_id   int8,
  teacher_id  int8,
  lesson_type int2,
  active      int2
);

CREATE TABLE course_meeting_topic (
  id           int8 PRIMARY KEY,
  course_id    int8,
  topic        text,
  meeting_date text
);

CREATE TABLE files (
  id            int8 PRIMARY KEY,
  original_name varchar(255),
  path          varchar(512),
  mime_type     varchar(100),
  size          int8,
  user_id       int8,
  create_date   text
);

CREATE TABLE course_meeting_topic_file (
  id       int8 PRIMARY KEY,
  topic_id int8,
  file_id  int8
);

CREATE TABLE journal (
  id           int8 PRIMARY KEY,
  course_id    int8,
  student_id   int8,
  active       int2,
  total_point  numeric(5,2),
  letter_grade varchar(2),
  retake       int2,
  create_date  text
);

CREATE TABLE journal_details (
  id          int8 PRIMARY KEY,
  journal_id  int8,
  lesson_date text,
  point_id_1  int8,
  point_id_2  int8,
  point_id_3  int8,
  create_date text
);

CREATE TABLE exam (
  id               int8 PRIMARY KEY,
  course_id        int8,
  exam_type_dic_id int8,
  title_dic_id     int8,
  max_point        numeric(6,2),
  pass_point       numeric(6,2),
  duration_min     int4,
  exam_date        text
);

CREATE TABLE exam_result (
  id         int8 PRIMARY KEY,
  exam_id    int8,
  student_id int8,
  attempt    int2,
  point      numeric(6,2),
  status     int2,
  submit_date text
);
