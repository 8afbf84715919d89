"""Exams models; importing this module registers every exams table."""

from exams.models.bank import (
    BankPurpose,
    BankTier,
    KnowledgePoint,
    Question,
    QuestionBank,
    QuestionImport,
    QuestionStatus,
    QuestionType,
    QuestionVersion,
)
from exams.models.lesson_quiz import LessonQuiz
from exams.models.paper import Blueprint, BlueprintCell, Paper, PaperItem, PaperPurpose
from exams.models.practice import AttemptKind, PracticeAnswer, PracticeAttempt, WrongAnswer

__all__ = [
    "AttemptKind", "BankPurpose", "BankTier", "Blueprint", "BlueprintCell", "KnowledgePoint",
    "LessonQuiz",
    "Paper", "PaperItem", "PaperPurpose", "PracticeAnswer", "PracticeAttempt", "Question",
    "QuestionBank", "QuestionImport", "QuestionStatus", "QuestionType", "QuestionVersion",
    "WrongAnswer",
]
