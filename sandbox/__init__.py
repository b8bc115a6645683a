"""Runs untrusted code and tests in isolation and returns structured results. Knows nothing about LLMs."""
from sandbox.check import check
from sandbox.compare import render as render_value
from sandbox.compare import render_call, values_match
from sandbox.core import Sandbox
from sandbox.errors import SandboxError, SandboxUnavailable
from sandbox.types import (AssertTest, CallTest, Compare, CompareMode, ExecutionReport, Limits, ProgramResult, Status,
                           Test, TestOutcome)
from sandbox.values import resolve_entry, to_jsonable

__all__ = ["Sandbox", "Limits", "Compare", "CompareMode", "CallTest", "AssertTest", "Test", "Status", "TestOutcome",
           "ExecutionReport", "ProgramResult", "SandboxError", "SandboxUnavailable", "check", "resolve_entry",
           "render_call", "render_value", "to_jsonable", "values_match"]
