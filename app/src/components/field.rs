//! The frame every labelled form control sits in: the label, the control, its hint and its error message.
//!
//! Every form in Signet draws its fields through [`FieldFrame`] (plain text inputs through
//! [`Field`](super::Field), which is built on it) instead of writing the markup by hand, so that every field
//! lines up the same way and screen readers announce each one alike: one label pointing at the control, then
//! the hint and the error message, each with an id the control can name in `aria-describedby`
//! (see [`described_by`]).

use leptos::prelude::*;

/// The `aria-describedby` value of a control framed by [`FieldFrame`] under the id `id`: its hint (when the
/// frame has one) and its error message, which the frame gives the ids `{id}-hint` and `{id}-error`.
///
/// Only for frames given an `error`; a frame without one has no `{id}-error` to point at.
pub fn described_by(id: &str, has_hint: bool) -> String {
    if has_hint {
        format!("{id}-hint {id}-error")
    } else {
        format!("{id}-error")
    }
}

/// A labelled form control: `<div class="field">` holding the label, the control (the children), the hint and
/// the error message.
///
/// One frame for every input, select and textarea, so that every field lines up alike and is announced alike:
/// the label always points at the control (which must carry the same `id`), the hint is always `{id}-hint` and
/// the error always `{id}-error`, announced as an alert.
#[component]
pub fn FieldFrame(
    /// The id of the control inside: the label points at it, and the hint and error ids are made from it.
    #[prop(into)]
    id: String,
    /// The label's text, fixed (`"Name"`) or following a signal (`move || …`).
    #[prop(into)]
    label: TextProp,
    /// Marks the label with " *" (the control itself still carries `required`).
    #[prop(optional)]
    required: bool,
    /// Help under the control, fixed or reactive; nothing is shown while it is empty.
    #[prop(optional, into)]
    hint: Option<TextProp>,
    /// The field's message (the server's or a rule's); without it the frame has no error line at all.
    #[prop(optional, into)]
    error: Option<Signal<Option<String>>>,
    /// Hides the whole field while true (a field only some choices need).
    #[prop(optional, into)]
    hidden: Option<Signal<bool>>,
    /// The control with `id` (and anything that belongs right beside it, such as a show-password button).
    children: Children,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let hint = hint.map(|hint| {
        move || {
            let text = hint.get();
            (!text.is_empty()).then(|| view! { <span class="hint" id=hint_id.clone()>{text}</span> })
        }
    });
    let error =
        error.map(|message| view! { <span class="error" id=error_id role="alert">{move || message.get()}</span> });
    view! {
        <div class="field" hidden=move || hidden.is_some_and(|h| h.get())>
            <label for=id>{move || label.get()}{required.then_some(" *")}</label>
            {children()}
            {hint}
            {error}
        </div>
    }
}
