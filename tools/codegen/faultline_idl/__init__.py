"""Faultline IDL: parser, JSON intermediate form, code generator and trace decoder."""
