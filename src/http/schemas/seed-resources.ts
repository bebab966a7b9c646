import Type from 'typebox'

export const ProtectedResponse = Type.Object({ logged_in_as: Type.String() })

export const DataResponse = Type.Object({ data: Type.String() })

export const AdminResponse = Type.Object({
  logged_in_as: Type.Object({ username: Type.String(), role: Type.Literal('admin') }),
})
