"""Interwar Lessons: lesson units and scored quizzes written as YAML."""
